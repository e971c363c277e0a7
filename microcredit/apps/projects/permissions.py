"""Legacy project register permissions granted to roles (issue #12 §10)."""

from microcredit.apps.accounts import roles
from microcredit.apps.accounts.roles import grant


def grant_roles() -> None:
    """Called by the app's AppConfig.ready(); `grant` is idempotent."""
    for role in (roles.COUNTY, roles.TOWNSHIP, roles.BANK, roles.FINANCE, roles.AUDITOR, roles.ADMIN):
        grant(role, "projects.view_project")
    for role in (roles.COUNTY, roles.ADMIN):
        grant(role, "projects.manage_project")
