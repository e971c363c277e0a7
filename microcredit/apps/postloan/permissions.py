"""Post-loan permissions granted to roles (issue #12 §1, §4)."""

from microcredit.apps.accounts import roles
from microcredit.apps.accounts.roles import grant


def grant_roles() -> None:
    """Called by the app's AppConfig.ready(); `grant` is idempotent. Everyone sees only its scope."""
    for role in (roles.COUNTY, roles.TOWNSHIP, roles.VILLAGE, roles.BANK, roles.PBOC, roles.FINANCE, roles.AUDITOR,
                 roles.ADMIN):
        grant(role, "postloan.view_check")
    for role in (roles.VILLAGE, roles.TOWNSHIP, roles.COUNTY, roles.BANK, roles.ADMIN):
        grant(role, "postloan.record_check", "postloan.manage_flag")
