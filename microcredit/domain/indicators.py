"""Indicators 指标 (DOMAIN §9): the ratios, their rounding, the months of a maturity ladder.

Definitions (amounts in integer fen, counts in integers):

- 获贷率 access rate = households that ever borrowed ÷ eligible registered households;
- 户均贷款 average loan = balance ÷ households with a loan outstanding (fen, half-up);
- 逾期率 overdue ratio = overdue balance ÷ balance (overdue balance: the outstanding principal of
  loans with days past due ≥ 1, as the close computes it);
- 不良率 NPL ratio = NPL balance ÷ balance (NPL = 次级 + 可疑 + 损失, DOMAIN §5.4);
- 到期还款率 on-time rate = the amount repaid on time ÷ the amount due in the period (principal +
  interest of the instalments due in the period; "on time" = the instalment was paid off on or
  before its due date).

Rounding rule (every ratio): the exact fraction, rounded half-up (halves away from zero) to
4 decimal places — ``Decimal("0.12345")`` → ``0.1235``. A ratio whose denominator is 0 is
undefined: ``None`` (the API shows ``null``), never 0 and never an error.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from microcredit.domain.money import round_half_up

__all__ = [
    "RATIO_PLACES",
    "access_rate",
    "average_loan",
    "completion_rate",
    "is_month_end",
    "ladder_months",
    "month_end",
    "npl_ratio",
    "on_time_rate",
    "overdue_ratio",
    "period_of",
    "ratio",
    "ratio_str",
    "year_elapsed",
]

RATIO_PLACES = 4
_QUANTUM = Decimal(1).scaleb(-RATIO_PLACES)  # 0.0001


def ratio(numerator: int, denominator: int) -> Decimal | None:
    """``numerator ÷ denominator`` as a Decimal with 4 places, half-up; None when the denominator is 0.

    Exact: the fraction is rounded once (no float, no intermediate rounding).
    """
    for name, v in (("numerator", numerator), ("denominator", denominator)):
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"{name} 必须是整数")
    if denominator == 0:
        return None
    f = Fraction(numerator, denominator)
    scaled = round_half_up(f.numerator * 10 ** RATIO_PLACES, f.denominator)
    return (Decimal(scaled).scaleb(-RATIO_PLACES)).quantize(_QUANTUM, rounding=ROUND_HALF_UP)


def ratio_str(value: Decimal | None) -> str | None:
    """A ratio at the API edge: ``"0.1235"`` (always 4 places), or None."""
    return None if value is None else f"{value.quantize(_QUANTUM, rounding=ROUND_HALF_UP):.4f}"


def access_rate(households_borrowed_ever: int, households_eligible: int) -> Decimal | None:
    """获贷率 = households that ever borrowed ÷ eligible registered households (DOMAIN §9)."""
    return ratio(households_borrowed_ever, households_eligible)


def overdue_ratio(overdue_balance: int, balance: int) -> Decimal | None:
    """逾期率 = overdue balance ÷ balance (DOMAIN §9)."""
    return ratio(overdue_balance, balance)


def npl_ratio(npl_balance: int, balance: int) -> Decimal | None:
    """不良率 = NPL balance ÷ balance (DOMAIN §9)."""
    return ratio(npl_balance, balance)


def on_time_rate(repaid_on_time: int, due: int) -> Decimal | None:
    """到期还款率 = amount repaid on time ÷ amount due in the period (DOMAIN §9)."""
    return ratio(repaid_on_time, due)


def completion_rate(new_amount: int, target: int | None) -> Decimal | None:
    """计划完成率 = 累计新增 (loans disbursed since 1 January, fen) ÷ the year's target 年度计划 (fen)
    (REPORTS §9 通报, DOMAIN §9 rounding); None when no target is set or it is 0 (未设定)."""
    if target is None:
        return None
    return ratio(new_amount, target)


def year_elapsed(as_of: dt.date) -> Decimal:
    """时间进度 = days of ``as_of``'s year elapsed through ``as_of`` ÷ days in that year (the line a
    county's 通报 holds each unit's 计划完成率 against), with the ratio rounding above."""
    days = 366 if calendar.isleap(as_of.year) else 365
    return ratio(as_of.timetuple().tm_yday, days)


def average_loan(balance: int, households_outstanding: int) -> int | None:
    """户均贷款 = balance ÷ households with a loan outstanding, in fen rounded half-up (DOMAIN §9)."""
    return None if households_outstanding <= 0 else round_half_up(balance, households_outstanding)


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def is_month_end(day: dt.date) -> bool:
    return day == month_end(day)


def period_of(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The on-time rate's period for ``as_of``: from the first of its calendar month through ``as_of``."""
    return as_of.replace(day=1), as_of


def ladder_months(as_of: dt.date, months: int = 12) -> list[tuple[dt.date, dt.date]]:
    """The maturity ladder's buckets (到期分布, DOMAIN §9): ``months`` calendar months, the first
    being the month of the day after ``as_of`` and starting that day; each ``(first, last)``."""
    if not 1 <= months <= 120:
        raise ValueError("到期分布的月数必须在 1 到 120 之间")
    start = as_of + dt.timedelta(days=1)
    out = []
    for k in range(months):
        y, m = divmod(start.month - 1 + k, 12)
        first = dt.date(start.year + y, m + 1, 1)
        out.append((start if k == 0 else first, month_end(first)))
    return out
