"""Loan servicing permissions granted to roles (granted in the app's AppConfig.ready())."""

from microcredit.apps.accounts import roles
from microcredit.apps.accounts.roles import grant


def grant_roles() -> None:
    """Called by the app's AppConfig.ready(); `grant` is idempotent."""
    for role in (roles.COUNTY, roles.TOWNSHIP, roles.VILLAGE, roles.BANK, roles.PBOC, roles.FINANCE,
                  roles.INSURER, roles.AUDITOR, roles.ADMIN):
        grant(role, "loans.view_loan")
    grant(roles.BANK, "loans.post_repayment", "loans.service_loan")
    grant(roles.ADMIN, "loans.post_repayment", "loans.service_loan")
