"""Reminder permissions granted to roles (issue #12 §2)."""

from microcredit.apps.accounts import roles
from microcredit.apps.accounts.roles import grant


def grant_roles() -> None:
    """Called by the app's AppConfig.ready(); `grant` is idempotent."""
    for role in (roles.COUNTY, roles.TOWNSHIP, roles.VILLAGE, roles.BANK, roles.ADMIN, roles.AUDITOR):
        grant(role, "reminders.view_reminder")
    for role in (roles.COUNTY, roles.ADMIN):
        grant(role, "reminders.manage_reminder")
    for role in (roles.VILLAGE, roles.TOWNSHIP):  # they deliver by hand what an SMS cannot reach
        grant(role, "reminders.deliver_reminder")
