"""Bank data exchange permissions granted to roles (issue #13)."""

from microcredit.apps.accounts import roles
from microcredit.apps.accounts.roles import grant


def grant_roles() -> None:
    """Called by the app's AppConfig.ready(); `grant` is idempotent.

    Banks import their own ledgers and keep their column templates; the county imports any bank's,
    runs reconciliation and keeps the register of public employees; the PBoC branch, the finance
    bureau and auditors read.
    """
    for role in (roles.COUNTY, roles.BANK, roles.PBOC, roles.FINANCE, roles.AUDITOR, roles.ADMIN):
        grant(role, "exchange.view_ledgerloan")
    for role in (roles.COUNTY, roles.BANK, roles.ADMIN):
        grant(role, "exchange.add_ledgerimport")
        grant(role, "exchange.change_columntemplate")
    for role in (roles.COUNTY, roles.ADMIN):
        grant(role, "exchange.add_reconciliationrun")
        grant(role, "exchange.change_publicemployee")
