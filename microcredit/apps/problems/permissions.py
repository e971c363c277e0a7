"""Problem ledger permissions granted to roles (issue #12 §6). Who takes which step is the workflow
table's (``domain.workflow.PROBLEM_CASE``); these say who sees the ledger and who opens a case by hand."""

from microcredit.apps.accounts import roles
from microcredit.apps.accounts.roles import grant


def grant_roles() -> None:
    """Called by the app's AppConfig.ready(); `grant` is idempotent."""
    for role in (roles.COUNTY, roles.TOWNSHIP, roles.VILLAGE, roles.BANK, roles.PBOC, roles.FINANCE, roles.AUDITOR,
                 roles.ADMIN):
        grant(role, "problems.view_case")
    for role in (roles.COUNTY, roles.TOWNSHIP, roles.ADMIN):
        grant(role, "problems.open_case")
