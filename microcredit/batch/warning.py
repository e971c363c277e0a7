"""Warning lights 红黄绿灯 (DOMAIN §8) as Polars expressions for the set-based close.

The rule is ``microcredit.domain.monitoring.warning_light``; this module only vectorises it,
with the constants (60 days, NPL classes) taken from the domain (differential-tested).
"""

from __future__ import annotations

import polars as pl

from microcredit.domain.monitoring import LIGHT_LABELS, NPL_CLASSES, YELLOW_DAYS

__all__ = ["YELLOW_HORIZON_DAYS", "LIGHT_LABELS", "warning_light_expr"]

YELLOW_HORIZON_DAYS = YELLOW_DAYS


def warning_light_expr(dpd: pl.Expr, cls: pl.Expr, due_soon: pl.Expr, flag: pl.Expr) -> pl.Expr:
    """``domain.monitoring.warning_light`` over columns (``due_soon``: principal due within the horizon)."""
    return (pl.when((dpd >= 1) | cls.is_in(sorted(NPL_CLASSES))).then(pl.lit("red"))
            .when(due_soon | (flag.fill_null("") != "")).then(pl.lit("yellow"))
            .otherwise(pl.lit("green")))
