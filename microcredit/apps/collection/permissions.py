"""Collection permissions granted to roles (issue #12 §3)."""

from microcredit.apps.accounts import roles
from microcredit.apps.accounts.roles import grant

VIEWERS = (roles.COUNTY, roles.TOWNSHIP, roles.VILLAGE, roles.BANK, roles.PBOC, roles.FINANCE, roles.AUDITOR,
           roles.ADMIN)
ACTORS = (roles.VILLAGE, roles.TOWNSHIP, roles.COUNTY, roles.BANK, roles.ADMIN)


def grant_roles() -> None:
    """Called by the app's AppConfig.ready(); `grant` is idempotent."""
    for role in VIEWERS:
        grant(role, "collection.view_case")
    for role in ACTORS:
        grant(role, "collection.record_action")
