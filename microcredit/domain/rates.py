"""Reference rates: PBoC benchmark and LPR, effective-dated, and the policy cap (DOMAIN §4, §11).

Rates are ``Decimal`` percent per year (``Decimal("4.35")``).

Tenor vocabulary (``RateFixing.tenor``):

* benchmark (``kind="benchmark"``): ``"1y"`` — terms up to 1 year (≤ 12 months);
  ``"1-5y"`` — over 1 up to 5 years (13–60 months); ``"5y+"`` — over 5 years.
* LPR (``kind="lpr"``): ``"1y"`` — the 1-year LPR; ``"5y"`` — the over-5-year LPR
  (the "5Y+" column of DOMAIN §11).

A fixing is in force from its ``effective_from`` (inclusive) until the next fixing of the
same kind and tenor. The shipped table is data: callers pass their own (a county adds new
fixings) wherever ``fixings`` is a parameter.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple, Sequence

from microcredit.domain.errors import DomainError

__all__ = [
    "RateFixing", "KINDS", "TENORS", "SHIPPED_RATES", "LPR_ERA_START", "ERA_2026_START",
    "rate_in_force", "cap_rate", "benchmark_tenor",
]

KINDS = ("benchmark", "lpr")
TENORS = {"benchmark": ("1y", "1-5y", "5y+"), "lpr": ("1y", "5y")}

LPR_ERA_START = date(2021, 3, 1)
"""From this day the cap is an LPR (〔2021〕6号, DOMAIN §11)."""

ERA_2026_START = date(2026, 1, 1)
"""From this day the 2026 帮扶小额信贷 policy's cap (a setting) applies when given."""


class RateFixing(NamedTuple):
    """One published reference rate, in force from ``effective_from`` (DOMAIN §11)."""

    effective_from: date
    kind: str
    tenor: str
    rate: Decimal


def _lpr(rows: tuple[tuple[date, str, str], ...]) -> tuple[RateFixing, ...]:
    out: list[RateFixing] = []
    for day, one, five in rows:
        out.append(RateFixing(day, "lpr", "1y", Decimal(one)))
        out.append(RateFixing(day, "lpr", "5y", Decimal(five)))
    return tuple(out)


SHIPPED_RATES: tuple[RateFixing, ...] = (
    RateFixing(date(2015, 10, 24), "benchmark", "1y", Decimal("4.35")),
    RateFixing(date(2015, 10, 24), "benchmark", "1-5y", Decimal("4.75")),
    RateFixing(date(2015, 10, 24), "benchmark", "5y+", Decimal("4.90")),
) + _lpr((
    (date(2019, 8, 20), "4.25", "4.85"),
    (date(2019, 9, 20), "4.20", "4.85"),
    (date(2019, 11, 20), "4.15", "4.80"),
    (date(2020, 2, 20), "4.05", "4.75"),
    (date(2020, 4, 20), "3.85", "4.65"),
    (date(2021, 12, 20), "3.80", "4.65"),
    (date(2022, 1, 20), "3.70", "4.60"),
    (date(2022, 5, 20), "3.70", "4.45"),
    (date(2022, 8, 22), "3.65", "4.30"),
    (date(2023, 6, 20), "3.55", "4.20"),
    (date(2023, 8, 21), "3.45", "4.20"),
    (date(2024, 2, 20), "3.45", "3.95"),
    (date(2024, 7, 22), "3.35", "3.85"),
    (date(2024, 10, 21), "3.10", "3.60"),
    (date(2025, 5, 20), "3.00", "3.50"),
))
"""DOMAIN §11: PBoC benchmark from 2015-10-24 and the LPR fixings from 2019-08-20."""


def rate_in_force(fixings: Sequence[RateFixing], kind: str, tenor: str, on: date) -> Decimal:
    """The ``kind``/``tenor`` rate in force on ``on`` (DOMAIN §11).

    The latest fixing with ``effective_from <= on`` wins (order of ``fixings`` is irrelevant).

    Raises:
        DomainError: unknown kind/tenor, or no fixing in force on that day.
    """
    if kind not in TENORS:
        raise DomainError("kind", f"未知的利率种类：{kind}（应为 benchmark 或 lpr）")
    if tenor not in TENORS[kind]:
        raise DomainError("tenor", f"{kind} 没有期限 {tenor}（可选：{'、'.join(TENORS[kind])}）")
    best: RateFixing | None = None
    for f in fixings:
        if f.kind == kind and f.tenor == tenor and f.effective_from <= on:
            if best is None or f.effective_from >= best.effective_from:
                best = f
    if best is None:
        raise DomainError("on", f"{on.isoformat()} 没有生效的 {kind} {tenor} 利率")
    return best.rate


def benchmark_tenor(term_months: int) -> str:
    """The benchmark tenor for a loan term: ≤12 → "1y", ≤60 → "1-5y", else "5y+" (§11)."""
    if term_months <= 12:
        return "1y"
    if term_months <= 60:
        return "1-5y"
    return "5y+"


def cap_rate(
    disbursed_on: date,
    term_months: int,
    fixings: Sequence[RateFixing] = SHIPPED_RATES,
    era_cap: Decimal | None = None,
) -> Decimal:
    """The policy rate cap of a loan, fixed at disbursement (DOMAIN §4, §11).

    * disbursed before 2021-03-01: the PBoC benchmark for its term;
    * from 2021-03-01: the 1Y LPR for terms ≤ 12 months, else the 5Y LPR (in force on the
      disbursement day);
    * from 2026-01-01: ``era_cap`` (the county's setting) when given; when not given the
      2021 LPR rule continues (documented reading).
    """
    if term_months < 1:
        raise DomainError("term_months", "期限必须至少 1 个月")
    if disbursed_on >= ERA_2026_START and era_cap is not None:
        return era_cap
    if disbursed_on < LPR_ERA_START:
        return rate_in_force(fixings, "benchmark", benchmark_tenor(term_months), disbursed_on)
    return rate_in_force(fixings, "lpr", "1y" if term_months <= 12 else "5y", disbursed_on)
