"""Credit village / township 信用村 / 信用乡镇 (DOMAIN §3 Rating and credit granting).

DOMAIN §3: a share of rated households, NPL below a line, no malicious default. The lines are
parameters; the shipped defaults are share rated ≥ 80 % and 不良率 ≤ 2 % (DOMAIN names no figure,
these are the county defaults). The NPL ratio is the one of DOMAIN §9
(:func:`microcredit.domain.classification.npl_ratio`), judged exactly; the result carries both
ratios rounded to 4 places for the record.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from microcredit.domain.classification import npl_ratio

__all__ = ["CREDIT_VILLAGE_MIN_SHARE", "CREDIT_VILLAGE_MAX_NPL", "RegionFacts", "CreditRegionResult",
           "credit_region"]

CREDIT_VILLAGE_MIN_SHARE = Decimal("0.80")
CREDIT_VILLAGE_MAX_NPL = Decimal("0.02")
_PLACES = Decimal("0.0001")


class RegionFacts(NamedTuple):
    """What the registry and the loans say about a village or township."""

    households: int
    rated: int  # households with an effective rating
    balance: int  # fen, active loans
    npl_balance: int  # fen, of them in NPL classes
    malicious_defaults: int  # malicious-default blacklist entries in force


class CreditRegionResult(NamedTuple):
    rated_share: Decimal  # 4 places
    npl_ratio: Decimal  # 4 places
    granted: bool


def _rounded(x: Fraction) -> Decimal:
    return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(_PLACES)


def credit_region(facts: RegionFacts, *, min_share: Decimal = CREDIT_VILLAGE_MIN_SHARE,
                  max_npl: Decimal = CREDIT_VILLAGE_MAX_NPL) -> CreditRegionResult:
    """Whether a village / township is a 信用村 / 信用乡镇 (DOMAIN §3): rated share ≥ ``min_share``,
    不良率 ≤ ``max_npl`` and no malicious default in force."""
    share = Fraction(facts.rated, facts.households) if facts.households > 0 else Fraction(0)
    npl = npl_ratio(facts.balance, facts.npl_balance)
    granted = share >= min_share and npl <= max_npl and facts.malicious_defaults == 0
    return CreditRegionResult(_rounded(share), _rounded(npl), granted)
