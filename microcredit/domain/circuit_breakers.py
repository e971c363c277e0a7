"""Circuit breakers 熔断 (DOMAIN §8 Monitoring, warnings, sanctions).

A village whose NPL ratio > 5 % stops new lending; a township where ≥ 30 % of villages are
stopped stops; a bank whose NPL ratio > 3 % is suspended. Thresholds are parameters with these
defaults. Ratios are exact (``Fraction``); NPL ratio = NPL balance ÷ balance (DOMAIN §9).
Lifting a suspension is a recorded decision (done by the app, not here).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from typing import Iterable, Mapping, NamedTuple

from microcredit.domain.classification import npl_ratio

__all__ = ["VILLAGE_NPL_MAX", "TOWNSHIP_STOPPED_SHARE", "BANK_NPL_MAX", "LEVELS", "LEVEL_LABELS",
           "Exposure", "Breach", "npl_ratio", "circuit_breakers"]

VILLAGE_NPL_MAX = Decimal("0.05")
TOWNSHIP_STOPPED_SHARE = Decimal("0.30")
BANK_NPL_MAX = Decimal("0.03")
LEVELS = ("village", "township", "bank")
LEVEL_LABELS = {"village": "村", "township": "乡镇", "bank": "银行"}


class Exposure(NamedTuple):
    """A village (12-digit code) or a bank (``code`` = its id as text): balance and NPL balance in fen."""

    code: str
    balance: int
    npl_balance: int


class Breach(NamedTuple):
    """A suspension the rules call for: level (village/township/bank), code, Chinese reason."""

    level: str
    code: str
    reason: str


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
                              f"村不良率 {_pct(ratio)} 超过 {_pct(village_npl_max)}，暂停新增贷款"))
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
                              f"达到 {_pct(township_stopped_share)}），暂停新增贷款"))
    for b in sorted(banks):
        ratio = npl_ratio(b.balance, b.npl_balance)
        if ratio > Fraction(bank_npl_max):
            out.append(Breach("bank", b.code, f"银行不良率 {_pct(ratio)} 超过 {_pct(bank_npl_max)}，暂停新增贷款"))
    return out
