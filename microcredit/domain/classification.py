"""Five-category loan classification by days past due (五级分类, DOMAIN §5.4).

正常 normal (not overdue) · 关注 special_mention (1–90) · 次级 substandard (91–270) ·
可疑 doubtful (271–360) · 损失 loss (> 360). NPL (不良) = substandard + doubtful + loss.
Bands are a setting: pass your own ``bands`` (lowest first, each ``(from_days, to_days or
None, class)``); days below the first band are ``normal``. 不良率 = NPL balance ÷ balance
(DOMAIN §9), exact: :func:`npl_ratio`, the one definition the close, the dashboard, the credit
villages and the circuit breakers use.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterable, NamedTuple, Sequence

from microcredit.domain.errors import DomainError

__all__ = ["CLASSES", "CLASS_LABELS", "NPL_CLASSES", "Band", "DEFAULT_BANDS", "classify",
           "is_npl", "worse_of", "npl_balance", "npl_ratio"]

CLASSES = ("normal", "special_mention", "substandard", "doubtful", "loss")
CLASS_LABELS = {
    "normal": "正常",
    "special_mention": "关注",
    "substandard": "次级",
    "doubtful": "可疑",
    "loss": "损失",
}
NPL_CLASSES = frozenset({"substandard", "doubtful", "loss"})


class Band(NamedTuple):
    """Days past due ``from_days``…``to_days`` inclusive (``None``: no upper end) → class."""

    from_days: int
    to_days: int | None
    classification: str


DEFAULT_BANDS: tuple[Band, ...] = (
    Band(1, 90, "special_mention"),
    Band(91, 270, "substandard"),
    Band(271, 360, "doubtful"),
    Band(361, None, "loss"),
)
"""DOMAIN §5.4 (商业银行金融资产风险分类办法 2023)."""


def classify(days_past_due: int, bands: Sequence[Band] = DEFAULT_BANDS) -> str:
    """The class of a loan ``days_past_due`` days overdue (DOMAIN §5.4).

    Raises:
        DomainError: negative days.
    """
    if days_past_due < 0:
        raise DomainError("days_past_due", "逾期天数不能为负数")
    result = "normal"
    for band in bands:
        if days_past_due >= band.from_days and (band.to_days is None
                                                 or days_past_due <= band.to_days):
            result = band.classification
    return result


def is_npl(cls: str) -> bool:
    """True for the non-performing classes 次级/可疑/损失 (DOMAIN §5.4)."""
    if cls not in CLASSES:
        raise DomainError("classification", f"未知的分类：{cls}")
    return cls in NPL_CLASSES


def worse_of(a: str, b: str) -> str:
    """The worse of two classes (a manual downgrade never improves a class, DOMAIN §5.4)."""
    return a if CLASSES.index(a) >= CLASSES.index(b) else b


def npl_balance(loans: Iterable[tuple[str, int]]) -> int:
    """Σ outstanding principal (fen) of the NPL loans among ``(class, outstanding)`` pairs (DOMAIN §5.4)."""
    return sum(outstanding for cls, outstanding in loans if cls in NPL_CLASSES)


def npl_ratio(balance: int, npl: int) -> Fraction:
    """不良率 = NPL balance ÷ balance, exact, in [0, 1] (0 when there is no balance), DOMAIN §9."""
    return Fraction(npl, balance) if balance > 0 else Fraction(0)
