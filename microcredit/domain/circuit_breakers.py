"""Circuit breakers 熔断 (DOMAIN §8 Monitoring, warnings, sanctions).

A village whose NPL ratio > 5 % stops new lending; a township where ≥ 30 % of villages are
stopped stops; a bank whose NPL ratio > 3 % is suspended; a township or village whose on-time
recovery rate of the loans due this year stays < 98 % at 3 consecutive month ends stops
(:func:`recovery_breakers`, [S2 道县]). Thresholds are parameters with these defaults. Ratios are exact (``Fraction``); NPL ratio = NPL balance ÷ balance (DOMAIN §9).
Lifting a suspension is a recorded decision (done by the app, not here).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from typing import NamedTuple

from microcredit.domain.classification import npl_ratio

__all__ = [
    "BANK_NPL_MAX",
    "LEVELS",
    "LEVEL_LABELS",
    "RECOVERY_MIN",
    "RECOVERY_MONTHS",
    "TOWNSHIP_STOPPED_SHARE",
    "VILLAGE_NPL_MAX",
    "Breach",
    "Exposure",
    "Recovery",
    "circuit_breakers",
    "npl_ratio",
    "recovery_breakers",
    "recovery_rate",
]

VILLAGE_NPL_MAX = Decimal("0.05")
TOWNSHIP_STOPPED_SHARE = Decimal("0.30")
BANK_NPL_MAX = Decimal("0.03")
RECOVERY_MIN = Decimal("0.98")
RECOVERY_MONTHS = 3
LEVELS = ("village", "township", "bank")
LEVEL_LABELS = {"village": "村", "township": "乡镇", "bank": "银行"}


class Exposure(NamedTuple):
    """A village (12-digit code) or a bank (``code`` = its id as text): balance and NPL balance in fen."""

    code: str
    balance: int
    npl_balance: int


class Breach(NamedTuple):
    """A suspension the rules call for: level (village/township/bank), code, Chinese reason, and the rule
    (village_npl, township_share, bank_npl, recovery)."""

    level: str
    code: str
    reason: str
    rule: str = ""


def _pct(x: Fraction | Decimal) -> str:
    return f"{Decimal(x.numerator) / Decimal(x.denominator) * 100 if isinstance(x, Fraction) else x * 100:.2f}%"


def circuit_breakers(
    villages: Iterable[Exposure],
    banks: Iterable[Exposure] = (),
    *,
    stopped_villages: Iterable[str] = (),
    villages_per_township: Mapping[str, int] | None = None,
    village_npl_max: Decimal = VILLAGE_NPL_MAX,
    township_stopped_share: Decimal = TOWNSHIP_STOPPED_SHARE,
    bank_npl_max: Decimal = BANK_NPL_MAX,
) -> list[Breach]:
    """The suspensions the rules call for (DOMAIN §8), villages first, then townships, then banks.

    ``stopped_villages``: villages already stopped (open suspensions), counted for their township.
    ``villages_per_township``: all villages of each township (9-digit code); default: the villages
    given in ``villages``. A township's share is stopped villages ÷ its villages.
    """
    villages = list(villages)
    out: list[Breach] = []
    stopped = set(stopped_villages)
    for v in sorted(villages):
        ratio = npl_ratio(v.balance, v.npl_balance)
        if ratio > Fraction(village_npl_max):
            stopped.add(v.code)
            out.append(Breach("village", v.code,
                              f"村不良率 {_pct(ratio)} 超过 {_pct(village_npl_max)}，暂停新增贷款", "village_npl"))
    if villages_per_township is None:
        counts: dict[str, int] = defaultdict(int)
        for v in {v.code for v in villages} | stopped:
            counts[v[:9]] += 1
        villages_per_township = counts
    by_township: dict[str, int] = defaultdict(int)
    for code in stopped:
        by_township[code[:9]] += 1
    for township in sorted(by_township):
        total = villages_per_township.get(township, 0)
        if total <= 0:
            continue
        share = Fraction(by_township[township], total)
        if share >= Fraction(township_stopped_share):
            out.append(Breach("township", township,
                              f"乡镇内 {by_township[township]}/{total} 个村已熔断（{_pct(share)}，"
                              f"达到 {_pct(township_stopped_share)}），暂停新增贷款", "township_share"))
    for b in sorted(banks):
        ratio = npl_ratio(b.balance, b.npl_balance)
        if ratio > Fraction(bank_npl_max):
            out.append(Breach("bank", b.code, f"银行不良率 {_pct(ratio)} 超过 {_pct(bank_npl_max)}，暂停新增贷款", "bank_npl"))
    return out


class Recovery(NamedTuple):
    """A township (9-digit code) or village (12-digit code) at one month end: the principal + interest
    of its loans due from 1 January of that month's year through the month end (``due``), and the part
    of it repaid on time (``on_time``), in fen."""

    code: str
    month_end: date
    due: int
    on_time: int


def _pct_down(x: Fraction) -> str:
    """A rate below the threshold shown truncated (97.999 % → "97.99%", never "98.00%")."""
    v = (Decimal(x.numerator) * 100 / Decimal(x.denominator)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return f"{v:.2f}%"


def recovery_rate(due: int, on_time: int) -> Fraction | None:
    """年内到期贷款按期收回率 = repaid on time ÷ due this year to date (exact); None when nothing was due."""
    return Fraction(on_time, due) if due > 0 else None


def recovery_breakers(
    rows: Iterable[Recovery],
    month_ends: Sequence[date],
    *,
    recovery_min: Decimal = RECOVERY_MIN,
    months: int = RECOVERY_MONTHS,
) -> list[Breach]:
    """The fourth breaker (DOMAIN §8, [S2 道县]): a township or village whose year-to-date on-time
    recovery rate is < ``recovery_min`` at each of the last ``months`` month ends stops new lending.

    ``month_ends``: the consecutive month ends to judge, oldest first (the last ``months`` are
    used; fewer → no breach). ``rows``: the recovery figures per code and month end; a month end
    without a row, or with nothing due, is not "below" (a region with nothing due is not stopped).
    The reason names the rates of the months, e.g. "年内到期贷款按期收回率连续3个月低于98.00%
    （2026-04-30 97.50%、2026-05-31 96.00%、2026-06-30 95.00%），暂停新增贷款".
    """
    ends = list(month_ends)[-months:] if months > 0 else []
    if months <= 0 or len(ends) < months:
        return []
    table: dict[str, dict] = defaultdict(dict)
    for r in rows:
        table[r.code][r.month_end] = recovery_rate(r.due, r.on_time)
    out: list[Breach] = []
    floor = Fraction(recovery_min)
    for code in sorted(table, key=lambda c: (len(c), c)):
        rates = [table[code].get(m) for m in ends]
        if all(x is not None and x < floor for x in rates):
            level = "village" if len(code) == 12 else "township"
            listed = "、".join(f"{m.isoformat()} {_pct_down(x)}" for m, x in zip(ends, rates))
            out.append(Breach(level, code, f"{LEVEL_LABELS[level]}年内到期贷款按期收回率连续{months}个月低于"
                                           f"{_pct(recovery_min)}（{listed}），暂停新增贷款", "recovery"))
    return out
