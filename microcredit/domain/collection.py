"""Collection of overdue loans (催收, DOMAIN §7, §8, §12; issue #12 §3): the states of a collection
case, the owner level by days past due, the rules of a recorded visit or call, and which cases
need a visit today.

DOMAIN §8: "overdue list daily (日报) with a collection task per loan"; seeds 000 卢氏: the
township station and the village run the 追偿清收小组 (上门宣传、追偿), the county supervises
(日报制); §7: a loan overdue ≥ 90 days after collection may go to the risk fund (代偿).

Pure: standard library only. The vocabulary (codes) lives here; the labels a person reads are
the ``collection`` app's choices.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from microcredit.domain.errors import FieldError

# --- states -------------------------------------------------------------------------------------

OPEN = "open"  # 待催收: created by the close, nothing recorded yet
IN_PROGRESS = "in_progress"  # 催收中: a visit or call recorded
PROMISE = "promise_to_pay"  # 承诺还款: the household promised a date and amount
BROKEN = "broken_promise"  # 违约未还: the promised date passed and the loan is still overdue
RESOLVED = "resolved"  # 已化解: the loan is no longer overdue (repaid, settled, written off)
CLOSED = "closed"  # 已结案

STATES = (OPEN, IN_PROGRESS, PROMISE, BROKEN, RESOLVED, CLOSED)
OPEN_STATES = (OPEN, IN_PROGRESS, PROMISE, BROKEN)
"""A loan has at most one case in these states (a partial unique constraint in the database)."""

# Events that move a case.
ACTION = "action"  # a visit or call without a promise
PROMISED = "promise"  # a visit or call with a promised date and amount
PROMISE_PASSED = "promise_passed"  # the close: the promised date passed, loan still overdue
REPAID = "repaid"  # the close: the loan is no longer overdue
CLOSE = "close"  # a person closes a resolved case (结案)

TRANSITIONS: dict[tuple[str, str], str] = {
    (OPEN, ACTION): IN_PROGRESS,
    (OPEN, PROMISED): PROMISE,
    (OPEN, REPAID): RESOLVED,
    (IN_PROGRESS, ACTION): IN_PROGRESS,
    (IN_PROGRESS, PROMISED): PROMISE,
    (IN_PROGRESS, REPAID): RESOLVED,
    (PROMISE, ACTION): PROMISE,  # a follow-up call does not cancel the promise
    (PROMISE, PROMISED): PROMISE,  # a new promise replaces the old one
    (PROMISE, PROMISE_PASSED): BROKEN,
    (PROMISE, REPAID): RESOLVED,
    (BROKEN, ACTION): IN_PROGRESS,
    (BROKEN, PROMISED): PROMISE,
    (BROKEN, REPAID): RESOLVED,
    (RESOLVED, CLOSE): CLOSED,
}
"""(state, event) → next state; a pair not in the table is refused."""


def next_state(state: str, event: str) -> str | None:
    """The state after ``event`` in ``state`` (DOMAIN §12 collection), None when not allowed."""
    return TRANSITIONS.get((state, event))


# --- owner level by days past due ---------------------------------------------------------------

VILLAGE = "village"
TOWNSHIP = "township"
COUNTY = "county"
CLAIM = "claim"  # ≥ 90 days: a risk-fund claim is proposed (DOMAIN §7)
BANDS: tuple[tuple[str, int], ...] = ((VILLAGE, 1), (TOWNSHIP, 30), (COUNTY, 60), (CLAIM, 90))
"""(level, first day past due of the band): 1–29 village, 30–59 township, 60–89 county, ≥ 90 claim."""
BAND_ORDER = {level: i for i, (level, _lo) in enumerate(BANDS)}
CLAIM_DAYS = 90


def band_for(days_past_due: int, bands: tuple[tuple[str, int], ...] = BANDS) -> str:
    """The level that owns an overdue loan's case (DOMAIN §7, §8; seeds 000 卢氏: village and
    township collect, the county supervises, ≥ 90 days the risk-fund claim). ``days_past_due`` ≥ 1."""
    level = bands[0][0]
    for name, lo in bands:
        if days_past_due >= lo:
            level = name
    return level


def band_range(level: str, bands: tuple[tuple[str, int], ...] = BANDS) -> tuple[int, int | None]:
    """The days-past-due range of a band, (lo, hi) inclusive, hi None for the last."""
    names = [b[0] for b in bands]
    i = names.index(level)
    lo = bands[i][1]
    hi = bands[i + 1][1] - 1 if i + 1 < len(bands) else None
    return lo, hi


def is_escalation(before: str, after: str) -> bool:
    """True when the case moved up to a higher level."""
    return BAND_ORDER[after] > BAND_ORDER[before]


# --- a recorded visit or call --------------------------------------------------------------------

CHANNELS = ("visit", "phone", "sms", "other")  # 上门 / 电话 / 短信 / 其他
RESULTS = ("promise", "partial", "refused", "hardship", "unreachable", "paid", "other")
MAX_NOTE = 500
MAX_PROMISE_DAYS = 90
"""A promise is at most this many days ahead of the visit (a longer plan is an extension, §12)."""


class ActionInput(NamedTuple):
    on: dt.date | None
    channel: str
    result: str
    note: str
    promised_on: dt.date | None
    promised_amount: int | None  # fen


def action_errors(a: ActionInput, *, today: dt.date, opened_on: dt.date, state: str) -> list[FieldError]:
    """Every reason a visit or call cannot be recorded (DOMAIN §8 collection), all at once."""
    errors: list[FieldError] = []
    if state not in OPEN_STATES:
        errors.append(FieldError("case", "该催收案件已化解或结案，不能再登记催收"))
    if a.on is None:
        errors.append(FieldError("on", "请填写催收日期"))
    elif a.on > today:
        errors.append(FieldError("on", f"催收日期不能晚于今天（{today}）"))
    elif a.on < opened_on:
        errors.append(FieldError("on", f"催收日期不能早于立案日期（{opened_on}）"))
    if a.channel not in CHANNELS:
        errors.append(FieldError("channel", "请选择催收方式（上门、电话、短信或其他）"))
    if a.result not in RESULTS:
        errors.append(FieldError("result", "请选择催收结果"))
    if len(a.note) > MAX_NOTE:
        errors.append(FieldError("note", f"情况说明不能超过 {MAX_NOTE} 个字"))
    if "\x00" in a.note:
        errors.append(FieldError("note", "情况说明不能包含空字符"))
    if a.result == "promise":
        if a.promised_on is None:
            errors.append(FieldError("promised_on", "承诺还款须填写承诺还款日期"))
        if not a.promised_amount:
            errors.append(FieldError("promised_amount", "承诺还款须填写承诺还款金额"))
    elif a.promised_on is not None or a.promised_amount:
        errors.append(FieldError("result", "填写了承诺还款日期或金额时，催收结果应为“承诺还款”"))
    if a.promised_on is not None and a.on is not None:
        if a.promised_on < a.on:
            errors.append(FieldError("promised_on", "承诺还款日期不能早于催收日期"))
        elif (a.promised_on - a.on).days > MAX_PROMISE_DAYS:
            errors.append(FieldError("promised_on", f"承诺还款日期最多在催收日期后 {MAX_PROMISE_DAYS} 天"
                                                    "（更长的安排请办理展期）"))
    if a.promised_amount is not None and a.promised_amount < 0:
        errors.append(FieldError("promised_amount", "承诺还款金额不能为负数"))
    return errors


def action_event(result: str) -> str:
    """The event a recorded action is: a promise, or another action."""
    return PROMISED if result == "promise" else ACTION


# --- broken promises and visits to make ------------------------------------------------------------

def promise_broken(promised_on: dt.date | None, day: dt.date) -> bool:
    """At the close of ``day``, a promise whose date is before ``day`` and whose loan is still overdue
    (else the case would be resolved) is broken."""
    return promised_on is not None and promised_on < day


IDLE_DAYS = 7
"""An open case without a recorded action for this many days needs a visit."""


def visit_reason(state: str, *, opened_on: dt.date, last_action_on: dt.date | None,
                 promised_on: dt.date | None, on: dt.date, idle_days: int = IDLE_DAYS) -> str | None:
    """Why a case is on the to-do list 待办 on ``on``, or None: a broken promise, a promise due
    today, or no action for ``idle_days`` days."""
    if state not in OPEN_STATES:
        return None
    if state == BROKEN:
        return "broken"
    if state == PROMISE and promised_on == on:
        return "promise_due"
    since = last_action_on or opened_on
    if state != PROMISE and (on - since).days >= idle_days:
        return "idle"
    return None


def idle_since(on: dt.date, idle_days: int = IDLE_DAYS) -> dt.date:
    """The latest last-action (or opening) date that makes an open case idle on ``on``."""
    return on - dt.timedelta(days=idle_days)
