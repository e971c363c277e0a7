"""Monitoring permissions granted to roles."""

from microcredit.apps.accounts import roles
from microcredit.apps.accounts.roles import grant


def grant_roles() -> None:
    """Called by the app's AppConfig.ready(); `grant` is idempotent."""
    for role in (roles.COUNTY, roles.TOWNSHIP, roles.BANK, roles.PBOC, roles.FINANCE, roles.AUDITOR, roles.ADMIN):
        grant(role, "monitoring.view_close")
    grant(roles.COUNTY, "monitoring.run_close")
    grant(roles.ADMIN, "monitoring.run_close")
    grant(roles.COUNTY, "monitoring.lift_suspension")
    grant(roles.ADMIN, "monitoring.lift_suspension")
    grant(roles.COUNTY, "monitoring.set_target")  # 年度放贷目标 (issue #12 item 8)
    grant(roles.ADMIN, "monitoring.set_target")
