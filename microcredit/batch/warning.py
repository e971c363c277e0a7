"""Warning lights 红黄绿灯 (DOMAIN §8), as a plain function and as a Polars expression.

red — overdue (days past due ≥ 1) or NPL; yellow — principal due within 60 days, or a risk
flag; green — otherwise. (Not yet in ``domain/``; kept here, once, for the close and the app.)
"""

from __future__ import annotations

import polars as pl

from microcredit.domain.classification import NPL_CLASSES

YELLOW_HORIZON_DAYS = 60
LIGHT_LABELS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}


def warning_light(days_past_due: int, classification: str, principal_due_soon: bool,
                  risk_flag: str) -> str:
    """The light of one loan (DOMAIN §8)."""
    if days_past_due >= 1 or classification in NPL_CLASSES:
        return "red"
    if principal_due_soon or risk_flag:
        return "yellow"
    return "green"


def warning_light_expr(dpd: pl.Expr, cls: pl.Expr, due_soon: pl.Expr, flag: pl.Expr) -> pl.Expr:
    """The same rule over columns."""
    return (pl.when((dpd >= 1) | cls.is_in(sorted(NPL_CLASSES))).then(pl.lit("red"))
            .when(due_soon | (flag.fill_null("") != "")).then(pl.lit("yellow"))
            .otherwise(pl.lit("green")))
