"""Workflow tables of the subsidy batch and the risk-fund claim (DOMAIN §12): for each
(state, action) the next state and the permission it needs. They drive the buttons, the
services' guards and the audit trail. (Kept here until domain/ has workflow tables.)
"""

from __future__ import annotations

from typing import NamedTuple


class Step(NamedTuple):
    to: str
    permission: str
    label: str


SUBSIDY_FLOW: dict[tuple[str, str], Step] = {
    ("drafted", "verify"): Step("verified", "funds.verify_subsidy", "人行审核通过"),
    ("verified", "approve"): Step("approved", "funds.approve_subsidy", "县级审批通过"),
    ("approved", "pay"): Step("paid", "funds.pay_subsidy", "财政拨付"),
    ("drafted", "reject"): Step("rejected", "funds.verify_subsidy", "驳回"),
    ("verified", "reject"): Step("rejected", "funds.approve_subsidy", "驳回"),
    ("approved", "reject"): Step("rejected", "funds.pay_subsidy", "驳回"),
}

CLAIM_FLOW: dict[tuple[str, str], Step] = {
    ("filed", "notice"): Step("notice", "funds.verify_claim", "开始村级公示（≥7天）"),
    ("notice", "verify"): Step("verified", "funds.verify_claim", "县级核实通过（乡村振兴局、财政、人行）"),
    ("verified", "approve"): Step("approved", "funds.approve_claim", "领导小组审批通过"),
    ("approved", "pay"): Step("paid", "funds.pay_claim", "拨付代偿资金"),
    ("filed", "reject"): Step("rejected", "funds.verify_claim", "驳回"),
    ("notice", "reject"): Step("rejected", "funds.verify_claim", "驳回"),
    ("verified", "reject"): Step("rejected", "funds.approve_claim", "驳回"),
}
NOTICE_DAYS = 7


def actions_for(flow: dict[tuple[str, str], Step], state: str, user) -> list[tuple[str, Step]]:
    """The actions the user may take on an item in ``state``."""
    return [(action, step) for (s, action), step in flow.items() if s == state and user.has_perm(step.permission)]
