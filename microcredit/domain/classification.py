"""Five-category loan classification by days past due (五级分类, DOMAIN §5.4).

正常 normal (not overdue) · 关注 special_mention (1–90) · 次级 substandard (91–270) ·
可疑 doubtful (271–360) · 损失 loss (> 360). NPL (不良) = substandard + doubtful + loss.
Bands are a setting: pass your own ``bands`` (lowest first, each ``(from_days, to_days or
None, class)``); days below the first band are ``normal``. 不良率 = NPL balance ÷ balance
(DOMAIN §9), exact: :func:`npl_ratio`, the one definition the close, the dashboard, the credit
villages and the circuit breakers use.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from typing import Iterable, NamedTuple, Sequence

from microcredit.domain.dates import add_months
from microcredit.domain.errors import DomainError, FieldError

__all__ = ["CLASSES", "CLASS_LABELS", "NPL_CLASSES", "Band", "DEFAULT_BANDS", "classify",
           "is_npl", "worse_of", "npl_balance", "npl_ratio", "MANUAL_REASONS", "UPGRADE_REASON", "REASON_LABELS",
           "effective_class", "downgrade_errors", "upgrade_errors", "regular_since"]

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


# --- manual moves (DOMAIN §5.4; issue #12 §11) ------------------------------------------------------

MANUAL_REASONS = {"death": "借款人死亡", "disaster": "重大自然灾害", "fraud": "欺诈骗贷", "other": "其他"}
"""Why a bank puts a loan in a worse class than its days past due say (DOMAIN §5.4)."""
UPGRADE_REASON = "regular_payment"
"""The one reason of an upgrade: 3 months' regular payment."""
REASON_LABELS = MANUAL_REASONS | {UPGRADE_REASON: "连续3个月正常还款"}
UPGRADE_MONTHS = 3
MAX_REASON_TEXT = 500


def effective_class(computed: str, floor: str | None, floor_on: date | None, on: date) -> str:
    """The class of a loan on ``on`` (DOMAIN §5.4, ADR 0002 amendment): the class by days past due
    (``computed``), never better than the manual floor set on ``floor_on`` (the class of the latest
    confirmed manual move; empty or ``normal``: none). The floor does not apply before the day it was set
    (a catch-up close of an older date) and stays until a manual upgrade replaces it."""
    if not floor or floor == "normal" or floor_on is None or on < floor_on:
        return computed
    return worse_of(computed, floor)


def _class_errors(target: str, current: str) -> list[FieldError]:
    errors = []
    if target not in CLASSES:
        errors.append(FieldError("to_class", "请选择有效的五级分类"))
    if current not in CLASSES:
        errors.append(FieldError("from_class", f"当前分类无效：{str(current)[:20]}"))
    return errors


def downgrade_errors(*, current: str, target: str, reason: str, reason_text: str = "") -> list[FieldError]:
    """Why a manual downgrade of a loan now in ``current`` to ``target`` is refused, every failure at once
    ([] when allowed). DOMAIN §5.4: allowed at any time, to a worse class, with its reason (death,
    disaster, fraud, or other with a text)."""
    errors = _class_errors(target, current)
    if not errors and CLASSES.index(target) <= CLASSES.index(current):
        errors.append(FieldError("to_class", f"下调后的分类须比当前分类（{CLASS_LABELS[current]}）更差"))
    if reason not in MANUAL_REASONS:
        errors.append(FieldError("reason", "请选择下调原因（死亡、灾害、欺诈或其他）"))
    if reason == "other" and not reason_text.strip():
        errors.append(FieldError("reason_text", "原因为“其他”时须填写具体说明"))
    if len(reason_text) > MAX_REASON_TEXT:
        errors.append(FieldError("reason_text", f"说明不能超过 {MAX_REASON_TEXT} 字"))
    return errors


def regular_since(on: date, months: int = UPGRADE_MONTHS) -> date:
    """The first day of the window of regular payment an upgrade on ``on`` needs."""
    return add_months(on, -months)


def upgrade_errors(*, current: str, target: str, computed: str, on: date, last_manual_on: date | None,
                   installments: Iterable[tuple[date, date | None]], reason_text: str = "") -> list[FieldError]:
    """Why a manual upgrade of a loan now in ``current`` to ``target`` on ``on`` is refused, every failure
    at once ([] when allowed). DOMAIN §5.4: an upgrade needs 3 months' regular payment, read as:

    * the target is better than the current class, and not better than the class by days past due
      (``computed``) — an upgrade lifts a manual floor, it cannot hide an overdue;
    * at least 3 months have passed since the latest manual move (``last_manual_on``);
    * no instalment was overdue on any day of the 3 months up to ``on``: each instalment
      ``(due_date, paid_off_on or None)`` due before ``on`` was paid by the end of every day after its
      due date within the window (one late day breaks it).
    """
    errors = _class_errors(target, current)
    if computed not in CLASSES:
        errors.append(FieldError("computed", f"按逾期天数的分类无效：{str(computed)[:20]}"))
    if errors:
        return errors
    if CLASSES.index(target) >= CLASSES.index(current):
        errors.append(FieldError("to_class", f"上调后的分类须比当前分类（{CLASS_LABELS[current]}）更好"))
    if CLASSES.index(target) < CLASSES.index(computed):
        errors.append(FieldError("to_class", f"按逾期天数应为“{CLASS_LABELS[computed]}”，不能上调到更好的分类"))
    start = regular_since(on)
    if last_manual_on is not None and add_months(last_manual_on, UPGRADE_MONTHS) > on:
        errors.append(FieldError("on", f"上次人工调整在 {last_manual_on}，须满 {UPGRADE_MONTHS} 个月"
                                       f"（{add_months(last_manual_on, UPGRADE_MONTHS)} 起）方可上调"))
    late = []
    for due, paid in installments:
        first = max(start, due + timedelta(days=1))  # the first day of the window it could be overdue on
        if first <= on and (paid is None or paid > first):  # overdue from due + 1 until the day paid
            late.append(due)
    if late:
        errors.append(FieldError("on", f"近 {UPGRADE_MONTHS} 个月（{start} 至 {on}）有逾期（应还日 "
                                       f"{'、'.join(str(d) for d in sorted(late)[:5])}），须连续 {UPGRADE_MONTHS} 个月正常还款方可上调"))
    if len(reason_text) > MAX_REASON_TEXT:
        errors.append(FieldError("reason_text", f"说明不能超过 {MAX_REASON_TEXT} 字"))
    return errors
