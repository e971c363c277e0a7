"""Approval workflows as tables (DOMAIN §12, ARCHITECTURE §6).

A table lists the steps (state, label, roles that act on it, time limit in days) and the
transitions (state, action, next state, roles allowed). The tables drive the buttons in the UI,
the API, the overdue warnings and the audit trail. Every step can approve, return to the
previous step with an opinion, or reject with a reason.

Role codes are the strings of ``accounts.roles`` (``village_station`` …); ``admin`` is never
implied — callers decide whether an administrator may act.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from microcredit.domain.errors import FieldError

__all__ = [
    "Step", "Transition", "WorkflowTable", "ACTION_LABELS", "APPLICATION", "RATING_CAMPAIGN",
    "SUBSIDY_BATCH", "RISK_FUND_CLAIM", "CLAIM_VERIFIERS", "CLASSIFICATION_MOVE", "EXTENSION", "CLAIM_NOTICE_DAYS", "notice_end", "notice_errors", "allowed_transitions", "transition_errors", "find_transition", "due_date", "is_overdue",
    "total_limit_days", "over_total_limit", "APPROVING_ACTIONS", "segregation_errors",
]

VILLAGE, TOWNSHIP, COUNTY, BANK, HOUSEHOLD = (
    "village_station", "township_station", "county_office", "bank_officer", "household",
)
PBOC, FINANCE = "pboc", "finance"

ACTION_LABELS = {
    "submit": "提交", "approve": "同意", "return": "退回", "reject": "否决", "disburse": "签约放款",
    "start_notice": "开始公示", "close_notice": "公示结束", "withdraw": "撤回",
    "verify": "审核通过", "pay": "拨付", "notice": "开始公示", "file": "银行申报", "draft": "银行申报",
    "agree": "核实同意", "propose": "银行提出", "request": "提出申请",
}
"""Every action of the tables (and the records' ``file``/``draft`` that create an item) by its label."""


class Step(NamedTuple):
    """A state: its label, the roles acting on it, its time limit (calendar days; 0 = none)."""

    state: str
    label: str
    roles: tuple[str, ...]
    limit_days: int = 0
    terminal: bool = False


class Transition(NamedTuple):
    """``state --action--> next_state``, allowed to ``roles``; ``needs_opinion`` for return/reject."""

    state: str
    action: str
    next_state: str
    roles: tuple[str, ...]
    needs_opinion: bool = False
    title: str = ""

    @property
    def label(self) -> str:
        """The button text: the transition's own ``title`` or the action's generic label."""
        return self.title or ACTION_LABELS.get(self.action, self.action)


class WorkflowTable(NamedTuple):
    code: str
    name: str
    initial: str
    steps: tuple[Step, ...]
    transitions: tuple[Transition, ...]

    def step(self, state: str) -> Step:
        """The step of ``state`` (KeyError when unknown)."""
        for s in self.steps:
            if s.state == state:
                return s
        raise KeyError(state)

    def label(self, state: str) -> str:
        return self.step(state).label

    def choices(self) -> list[tuple[str, str]]:
        return [(s.state, s.label) for s in self.steps]


def _review_chain(chain: list[tuple[str, str, tuple[str, ...], int]], first_back: str) -> list[Transition]:
    """approve → next, return → previous (first step returns to ``first_back``), reject → rejected."""
    out: list[Transition] = []
    for i, (state, _label, roles, _days) in enumerate(chain):
        nxt = chain[i + 1][0] if i + 1 < len(chain) else "approved"
        prev = chain[i - 1][0] if i > 0 else first_back
        out.append(Transition(state, "approve", nxt, roles))
        out.append(Transition(state, "return", prev, roles, needs_opinion=True))
        out.append(Transition(state, "reject", "rejected", roles, needs_opinion=True))
    return out


_APP_CHAIN = [
    ("village_review", "村初审", (VILLAGE,), 1),
    ("township_review", "乡审核", (TOWNSHIP,), 2),
    ("county_review", "县复查", (COUNTY,), 2),
    ("bank_review", "银行审定", (BANK,), 2),
]

APPLICATION = WorkflowTable(
    code="loan_application",
    name="贷款申请（户申请、村初审、乡审核、县复查、银行审定）",
    initial="draft",
    steps=(
        Step("draft", "户申请（待提交）", (VILLAGE, HOUSEHOLD)),
        *(Step(s, label, roles, days) for s, label, roles, days in _APP_CHAIN),
        Step("approved", "已审定待放款", (BANK,)),
        Step("disbursed", "已放款", (), terminal=True),
        Step("rejected", "已否决", (), terminal=True),
        Step("withdrawn", "已撤回", (), terminal=True),
    ),
    transitions=(
        Transition("draft", "submit", "village_review", (VILLAGE, HOUSEHOLD)),
        Transition("draft", "withdraw", "withdrawn", (VILLAGE, HOUSEHOLD)),
        *_review_chain(_APP_CHAIN, "draft"),
        Transition("approved", "disburse", "disbursed", (BANK,)),
        Transition("approved", "reject", "rejected", (BANK,), needs_opinion=True),
    ),
)
"""DOMAIN §12: loan application, 1 + 2 + 2 + 2 days = 7 [S0 郧阳]."""

_RATING_CHAIN = [
    ("township_review", "乡镇评审", (TOWNSHIP,), 3),
    ("county_review", "县级评审", (COUNTY,), 3),
    ("bank_review", "银行评审", (BANK,), 3),
]

RATING_CAMPAIGN = WorkflowTable(
    code="rating_campaign",
    name="评级授信（一次摸底、四级评审、两轮公示）",
    initial="survey",
    steps=(
        Step("survey", "入户摸底", (VILLAGE,)),
        Step("vote", "村评议（评贷委员会）", (VILLAGE,), 3),
        Step("notice1", "第一轮公示", (VILLAGE,), 7),
        *(Step(s, label, roles, days) for s, label, roles, days in _RATING_CHAIN),
        Step("approved", "评审通过待第二轮公示", (VILLAGE,)),
        Step("notice2", "第二轮公示", (VILLAGE,), 7),
        Step("effective", "已生效", (), terminal=True),
        Step("rejected", "已否决", (), terminal=True),
    ),
    transitions=(
        Transition("survey", "submit", "vote", (VILLAGE,)),
        Transition("vote", "start_notice", "notice1", (VILLAGE,)),
        Transition("vote", "return", "survey", (VILLAGE,), needs_opinion=True),
        Transition("notice1", "close_notice", "township_review", (VILLAGE,)),
        *_review_chain(_RATING_CHAIN, "vote"),
        Transition("approved", "start_notice", "notice2", (VILLAGE,)),
        Transition("notice2", "close_notice", "effective", (VILLAGE,)),
    ),
)
"""DOMAIN §3, §12: survey → vote → notice 1 → township → county → bank → notice 2 → effective."""


SUBSIDY_BATCH = WorkflowTable(
    code="subsidy_batch",
    name="贴息申报（银行申报、人行审核、县级审批、财政拨付）",
    initial="drafted",
    steps=(
        Step("drafted", "银行已申报", (PBOC,)),
        Step("verified", "人行已审核", (COUNTY,)),
        Step("approved", "县级已审批", (FINANCE,)),
        Step("paid", "财政已拨付", (), terminal=True),
        Step("rejected", "已驳回", (), terminal=True),
    ),
    transitions=(
        Transition("drafted", "verify", "verified", (PBOC,), title="人行审核通过"),
        Transition("verified", "approve", "approved", (COUNTY,), title="县级审批通过"),
        Transition("approved", "pay", "paid", (FINANCE,), title="财政拨付"),
        Transition("drafted", "reject", "rejected", (PBOC,), needs_opinion=True, title="驳回"),
        Transition("verified", "reject", "rejected", (COUNTY,), needs_opinion=True, title="驳回"),
        Transition("approved", "reject", "rejected", (FINANCE,), needs_opinion=True, title="驳回"),
    ),
)
"""DOMAIN §12, §6: drafted (bank) → verified (PBoC) → approved (county office) → paid (finance);
reject with a reason at every open step. The bank's draft creates the batch (no transition).
Monthly deadlines (claim by the 5th, paid by month end) are calendar dates, not step limits."""

CLAIM_NOTICE_DAYS = 7
"""DOMAIN §7, §12: the village public notice of a claim lasts at least 7 days."""
CLAIM_VERIFY_DAYS = 10
"""DOMAIN §12: verification within 10 days (after the notice)."""
CLAIM_VERIFIERS = (COUNTY, FINANCE, PBOC)
"""DOMAIN §7: the county office, finance and PBoC each verify a claim (issue #12 §11)."""

RISK_FUND_CLAIM = WorkflowTable(
    code="risk_fund_claim",
    name="风险补偿金代偿（银行申请、村级公示、县级核实、领导小组审批、拨付）",
    initial="filed",
    steps=(
        Step("filed", "银行已申报", (COUNTY,)),
        Step("notice", "村级公示及核实中", CLAIM_VERIFIERS, CLAIM_NOTICE_DAYS + CLAIM_VERIFY_DAYS),
        Step("verified", "县级已核实", (COUNTY,)),
        Step("approved", "领导小组已审批", (FINANCE,)),
        Step("paid", "已代偿", (), terminal=True),
        Step("rejected", "已驳回", (), terminal=True),
    ),
    transitions=(
        Transition("filed", "notice", "notice", (COUNTY,), title=f"开始村级公示（≥{CLAIM_NOTICE_DAYS}天）"),
        Transition("notice", "agree", "notice", CLAIM_VERIFIERS, title="核实同意"),
        Transition("notice", "verify", "verified", CLAIM_VERIFIERS, title="核实同意"),
        Transition("notice", "return", "filed", CLAIM_VERIFIERS, needs_opinion=True, title="退回银行补充"),
        Transition("verified", "approve", "approved", (COUNTY,), title="领导小组审批通过"),
        Transition("approved", "pay", "paid", (FINANCE,), title="拨付代偿资金"),
        Transition("filed", "reject", "rejected", (COUNTY,), needs_opinion=True, title="驳回"),
        Transition("notice", "reject", "rejected", CLAIM_VERIFIERS, needs_opinion=True, title="驳回"),
        Transition("verified", "reject", "rejected", (COUNTY,), needs_opinion=True, title="驳回"),
        Transition("approved", "reject", "rejected", (FINANCE,), needs_opinion=True, title="驳回"),
    ),
)
"""DOMAIN §7, §12: filed (bank, with evidence) → village notice ≥ 7 days → verified by the county office,
finance and PBoC, each its own opinion (ADR 0007 amendment: each role's agreement is a kit transition of
the notice step — ``agree``, notice → notice — and the last of the three is ``verify``, notice →
verified; ``funds.claims`` picks which, refuses a role agreeing twice and ``verify`` before the other two
agreed) → approved (leading group, recorded by the county office) → paid (finance). Any of the three may
return the claim to the bank (filed: the notice starts again) or reject it with a reason. The bank's
filing creates the claim (no transition). The notice step's limit is the notice plus 10 days of
verification."""

CLASSIFICATION_MOVE = WorkflowTable(
    code="classification_move",
    name="五级分类人工调整（银行提出、县级确认）",
    initial="proposed",
    steps=(
        Step("proposed", "银行已提出待县级确认", (COUNTY,), 5),
        Step("confirmed", "已确认调整", (), terminal=True),
        Step("rejected", "已否决", (), terminal=True),
    ),
    transitions=(
        Transition("proposed", "approve", "confirmed", (COUNTY,), title="确认调整"),
        Transition("proposed", "reject", "rejected", (COUNTY,), needs_opinion=True, title="不同意"),
    ),
)
"""DOMAIN §5.4, §12 (issue #12 §11): a manual downgrade (any time, with its reason) or upgrade (after 3
months' regular payment) proposed by the bank and confirmed by the county office; the rule is re-checked
on the day of the confirmation (``domain.classification``). The bank's proposal creates the item."""

EXTENSION = WorkflowTable(
    code="loan_extension",
    name="展期、续贷（银行或农户申请、村乡意见、银行决定）",
    initial="village_opinion",
    steps=(
        Step("village_opinion", "村级意见", (VILLAGE,), 3),
        Step("township_opinion", "乡镇意见", (TOWNSHIP,), 3),
        Step("bank_decision", "银行决定", (BANK,), 3),
        Step("approved", "已同意并办理", (), terminal=True),
        Step("rejected", "已否决", (), terminal=True),
        Step("withdrawn", "已撤回", (), terminal=True),
    ),
    transitions=(
        Transition("village_opinion", "approve", "township_opinion", (VILLAGE,), title="村级同意"),
        Transition("village_opinion", "reject", "rejected", (VILLAGE,), needs_opinion=True, title="村级不同意"),
        Transition("village_opinion", "withdraw", "withdrawn", (VILLAGE, BANK), needs_opinion=True, title="撤回申请"),
        Transition("township_opinion", "approve", "bank_decision", (TOWNSHIP,), title="乡镇同意"),
        Transition("township_opinion", "return", "village_opinion", (TOWNSHIP,), needs_opinion=True, title="退回村级"),
        Transition("township_opinion", "reject", "rejected", (TOWNSHIP,), needs_opinion=True, title="乡镇不同意"),
        Transition("bank_decision", "approve", "approved", (BANK,), title="银行同意并办理"),
        Transition("bank_decision", "return", "township_opinion", (BANK,), needs_opinion=True, title="退回乡镇"),
        Transition("bank_decision", "reject", "rejected", (BANK,), needs_opinion=True, title="银行不同意"),
    ),
)
"""DOMAIN §12 (issue #12 §11): extension / renewal requested by the bank or the household (the village
clerk on its behalf) — the request creates the item at the village's opinion — → village opinion →
township opinion → bank decision; the bank's approval extends or renews the loan in the same
transaction and is refused on or after maturity (extension) or after it (renewal). Limits 3 days each
(a county edits them); the whole must end before maturity."""


def notice_errors(notice_end: date | None, on: date) -> list[FieldError]:
    """Why a claim may not leave its public notice on ``on`` (DOMAIN §7: ≥ 7 days), [] when it may."""
    if notice_end is None or on < notice_end:
        return [FieldError("on", f"公示期未满 {CLAIM_NOTICE_DAYS} 天（公示至 {notice_end}）")]
    return []


def notice_end(start: date) -> date:
    """The first day a claim noticed on ``start`` may be verified (DOMAIN §7)."""
    return start + timedelta(days=CLAIM_NOTICE_DAYS)


def allowed_transitions(table: WorkflowTable, state: str, role: str) -> tuple[Transition, ...]:
    """The transitions ``role`` may take from ``state`` (what buttons to show)."""
    return tuple(t for t in table.transitions if t.state == state and role in t.roles)


def find_transition(table: WorkflowTable, state: str, action: str) -> Transition | None:
    """The transition of ``action`` from ``state``, whoever may take it."""
    for t in table.transitions:
        if t.state == state and t.action == action:
            return t
    return None


def transition_errors(
    table: WorkflowTable, state: str, action: str, role: str, opinion: str = ""
) -> list[FieldError]:
    """Why ``role`` may not take ``action`` from ``state`` (empty when allowed), DOMAIN §12."""
    try:
        step = table.step(state)
    except KeyError:
        return [FieldError("state", f"未知状态：{state}")]
    t = find_transition(table, state, action)
    if t is None:
        return [FieldError("action", f"“{step.label}”状态下不能执行“{ACTION_LABELS.get(action, action)}”")]
    errors = []
    if role not in t.roles:
        errors.append(FieldError("role", f"当前角色无权在“{step.label}”环节执行“{t.label}”"))
    if t.needs_opinion and not opinion.strip():
        errors.append(FieldError("opinion", f"“{t.label}”必须填写意见或理由"))
    return errors


APPROVING_ACTIONS = ("approve",)
"""Actions that approve a step (segregation of duties applies to them)."""


def segregation_errors(action: str, actor_id: int | None, previous_actor_id: int | None,
                       previous_action: str = "") -> list[FieldError]:
    """Four eyes (issue #9, DOMAIN §12): why ``actor_id`` may not take ``action`` ([] when it may).

    Nobody approves a step they moved the item into: not their own submission (提交 then 村初审),
    not the step after one they approved (two consecutive approvals). ``previous_actor_id`` is
    whoever recorded the transition that brought the item to its current step. A ``None`` actor
    (the system, the demo generator) is not a person and is never refused.
    """
    if action not in APPROVING_ACTIONS or actor_id is None or previous_actor_id is None:
        return []
    if actor_id != previous_actor_id:
        return []
    what = "提交" if previous_action == "submit" else ACTION_LABELS.get(previous_action, "办理")
    return [FieldError("actor", f"职责分离：本环节的上一步（{what}）由您本人办理，不能再由您审批同意，请由另一名经办人审批")]


def due_date(table: WorkflowTable, state: str, entered_on: date) -> date | None:
    """The day a step must be done by (entered + limit), None when the step has no limit."""
    step = table.step(state)
    if not step.limit_days or step.terminal:
        return None
    return entered_on + timedelta(days=step.limit_days)


def is_overdue(table: WorkflowTable, state: str, entered_on: date, today: date) -> bool:
    """True when the step's time limit has passed (DOMAIN §12: calendar days)."""
    due = due_date(table, state, entered_on)
    return due is not None and today > due


def total_limit_days(table: WorkflowTable) -> int:
    """Sum of the step limits (7 for the application table)."""
    return sum(s.limit_days for s in table.steps if not s.terminal)


def over_total_limit(table: WorkflowTable, days: int | Decimal) -> bool:
    """True when ``days`` from the first step to the end exceed the sum of the step limits
    (DOMAIN §12: an application is 1 + 2 + 2 + 2 = 7 days to money)."""
    return days > total_limit_days(table)


# --- rating campaign: notice lengths and the bank's stage (DOMAIN §3, §12; issue #9) ---------------

from microcredit.domain.errors import DomainError  # noqa: E402

RATING_NOTICE_DAYS = 7
"""DOMAIN §3, §12: each of the two public notices of a rating campaign lasts 7 days by default."""
RATING_NOTICE_MIN_DAYS, RATING_NOTICE_MAX_DAYS = 5, 30
"""A county may change the length within these bounds: a notice shorter than 5 days is no notice
(公示期一般不少于5天), one longer than 30 days stalls the village's credit lines."""


def rating_notice_days(setting: str | None) -> int:
    """The length of each rating notice from the county's setting (DOMAIN §3, §12).

    ``setting`` is the stored text (None or "" when the county has not set one → 7 days). A value
    that is not a whole number within [5, 30] is refused with a DomainError naming the setting, so
    a wrong setting stops the campaign instead of silently shortening the public notice.
    """
    text = (setting or "").strip()
    if not text:
        return RATING_NOTICE_DAYS
    if not (text.isascii() and text.isdigit()) or not RATING_NOTICE_MIN_DAYS <= int(text) <= RATING_NOTICE_MAX_DAYS:
        raise DomainError("notice_days", f"县设置的评级公示天数“{text[:20]}”无效：须为 {RATING_NOTICE_MIN_DAYS}–"
                                         f"{RATING_NOTICE_MAX_DAYS} 之间的整数，请联系县乡村振兴局更正设置")
    return int(text)


def forward_states(table: WorkflowTable, state: str) -> frozenset[str]:
    """``state`` and every state reachable from it without returning or rejecting (DOMAIN §12).

    For the rating table, ``forward_states(RATING_CAMPAIGN, "bank_review")`` is the bank review
    and everything after it (approved, second notice, effective): the stages a bank may see.
    """
    seen, todo = {state}, [state]
    while todo:
        current = todo.pop()
        for t in table.transitions:
            if t.state == current and t.action not in ("return", "reject") and t.next_state not in seen:
                seen.add(t.next_state)
                todo.append(t.next_state)
    return frozenset(seen)


# --- problem case 问题台账 (DOMAIN §8, §12; issue #12 §6) ------------------------------------------

PROBLEM_CASE = WorkflowTable(
    code="problem_case",
    name="问题台账（立案、交办、整改、核验、销号）",
    initial="opened",
    steps=(
        Step("opened", "待交办", (COUNTY, TOWNSHIP), 3),
        Step("assigned", "整改中", (VILLAGE, TOWNSHIP), 1),
        Step("rectified", "已整改待核验", (COUNTY, TOWNSHIP), 5),
        Step("verified", "已核验待销号", (COUNTY,), 3),
        Step("closed", "已销号", (), terminal=True),
        Step("rejected", "已撤销", (), terminal=True),
    ),
    transitions=(
        Transition("opened", "assign", "assigned", (COUNTY, TOWNSHIP), title="交办整改"),
        Transition("opened", "reject", "rejected", (COUNTY, TOWNSHIP), needs_opinion=True, title="撤销（不予立案）"),
        Transition("assigned", "rectify", "rectified", (VILLAGE, TOWNSHIP), title="报送整改结果"),
        Transition("assigned", "return", "opened", (VILLAGE, TOWNSHIP), needs_opinion=True, title="退回交办人"),
        Transition("rectified", "verify", "verified", (COUNTY, TOWNSHIP), title="核验通过"),
        Transition("rectified", "return", "assigned", (COUNTY, TOWNSHIP), needs_opinion=True, title="退回重新整改"),
        Transition("rectified", "reject", "rejected", (COUNTY, TOWNSHIP), needs_opinion=True, title="撤销"),
        Transition("verified", "close", "closed", (COUNTY,), title="销号"),
        Transition("verified", "return", "rectified", (COUNTY,), needs_opinion=True, title="退回重新核验"),
        Transition("verified", "reject", "rejected", (COUNTY,), needs_opinion=True, title="撤销"),
    ),
)
"""DOMAIN §8, §12: opened → assigned (owner, deadline) → rectified with evidence → verified → closed
(销号); return to the previous step with an opinion, reject (撤销) with a reason. The rectification
step's limit is the case's own deadline: the app keeps the kit's entry date one day before the
deadline (``problems.models.Case.due_anchor``), so ``due_date`` is the deadline and the kit's
``overdue``/``overdue_below`` show a case past its deadline to its owner and to the county office.
The other steps' limits (3 days to assign, 5 to verify, 3 to close) are defaults a county edits."""

ACTION_LABELS.update({"assign": "交办整改", "rectify": "报送整改结果", "close": "销号", "open": "登记问题"})
"""The problem case's own actions (and its records' ``open``, which creates a case) by their labels."""
