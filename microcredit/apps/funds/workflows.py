"""Thin use of the subsidy-batch and risk-fund-claim workflow tables (``domain.workflow``,
DOMAIN §12): the role a user acts in, the buttons to show and the guard of a transition.
"""

from __future__ import annotations

from microcredit.domain.errors import DomainError
from microcredit.domain.workflow import (
    CLAIM_NOTICE_DAYS, RISK_FUND_CLAIM, SUBSIDY_BATCH, Transition, WorkflowTable, allowed_transitions,
    find_transition, segregation_errors, transition_errors,
)

SUBSIDY_FLOW = SUBSIDY_BATCH
CLAIM_FLOW = RISK_FUND_CLAIM
NOTICE_DAYS = CLAIM_NOTICE_DAYS

__all__ = ["SUBSIDY_FLOW", "CLAIM_FLOW", "NOTICE_DAYS", "acting_role", "actions_for", "checked_transition"]


def acting_role(user, table: WorkflowTable, state: str, action: str) -> str:
    """The role ``user`` acts in; the system (no user) and administrators act as the step's role."""
    if user is None or not getattr(user, "is_authenticated", False) or user.is_superuser \
            or getattr(user, "role", "") == "admin":
        t = find_transition(table, state, action)
        return t.roles[0] if t and t.roles else "admin"
    return getattr(user, "role", "") or ""


def actions_for(table: WorkflowTable, state: str, user) -> list[tuple[str, Transition]]:
    """The (action, transition) pairs the user may take on an item in ``state`` (the buttons)."""
    if user is None or user.is_superuser or getattr(user, "role", "") == "admin":
        return [(t.action, t) for t in table.transitions if t.state == state]
    return [(t.action, t) for t in allowed_transitions(table, state, getattr(user, "role", ""))]


def checked_transition(table: WorkflowTable, state: str, action: str, actor, opinion: str,
                       error: type[DomainError], steps=None) -> Transition:
    """The transition of ``action`` from ``state``, or ``error`` with the table's Chinese reason.

    ``steps``: the item's recorded ``WorkflowStep`` rows; whoever recorded the last one may not
    approve the next (four eyes, ``domain.workflow.segregation_errors``).
    """
    errors = transition_errors(table, state, action, acting_role(actor, table, state, action), opinion)
    last = steps.order_by("-id").first() if steps is not None else None
    if last is not None and not errors:
        errors = segregation_errors(action, getattr(actor, "pk", None), last.actor_id, last.action)
    if errors:
        e = errors[0]
        raise error(e.field, "驳回须写明原因" if e.field == "opinion" else e.message)
    return find_transition(table, state, action)
