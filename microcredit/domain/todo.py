"""Who supervises whose steps on the to-do list (DOMAIN §1 roles, §12 workflows).

DOMAIN §12: "an item past its limit shows in the owner's and the supervisor's inbox". The
township station supervises the village station's steps, the county office the village's and the
township's (DOMAIN §1: the county office reviews, the township station follows up).
"""

from __future__ import annotations

from microcredit.domain.access import COUNTY, TOWNSHIP, VILLAGE
from microcredit.domain.workflow import WorkflowTable

SUPERVISED_ROLES: dict[str, frozenset[str]] = {
    TOWNSHIP: frozenset({VILLAGE}),
    COUNTY: frozenset({VILLAGE, TOWNSHIP}),
}
"""role → the roles whose overdue steps it sees below its own items (下级超时)."""


def supervised_states(table: WorkflowTable, role: str) -> list[str]:
    """The open, time-limited steps of ``table`` acted on only by roles ``role`` supervises
    (DOMAIN §12): where an item can be overdue below ``role``."""
    below = SUPERVISED_ROLES.get(role, frozenset())
    return [s.state for s in table.steps
            if not s.terminal and s.limit_days and s.roles and set(s.roles) <= below]
