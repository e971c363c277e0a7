"""Household portal permissions granted to roles (issue #14)."""

from microcredit.apps.accounts import roles
from microcredit.apps.accounts.roles import grant


def grant_roles() -> None:
    """Called by the app's AppConfig.ready(); `grant` is idempotent. The village station prints sign-in
    codes for the households of its village (those without a phone)."""
    grant(roles.VILLAGE, "portal.issue_paper_code")
