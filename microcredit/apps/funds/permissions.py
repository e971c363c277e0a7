"""Subsidy and risk-fund permissions granted to roles (DOMAIN §6, §7, §12)."""

from microcredit.apps.accounts import roles
from microcredit.apps.accounts.roles import grant


def grant_roles() -> None:
    """Called by the app's AppConfig.ready(); `grant` is idempotent."""
    for role in (roles.COUNTY, roles.BANK, roles.PBOC, roles.FINANCE, roles.AUDITOR, roles.ADMIN):
        grant(role, "funds.view_subsidy", "funds.view_fund")
    grant(roles.BANK, "funds.draft_subsidy", "funds.file_claim")
    grant(roles.PBOC, "funds.verify_subsidy")
    grant(roles.COUNTY, "funds.approve_subsidy", "funds.verify_claim", "funds.approve_claim")
    grant(roles.FINANCE, "funds.pay_subsidy", "funds.pay_claim", "funds.manage_fund")
    # The insurer of a 政银保 scheme reads the loans it insures and the claims it shares (read-only); the county
    # office and admins see the same figures.
    grant(roles.INSURER, "funds.view_insured")
    grant(roles.COUNTY, "funds.view_insured")
    grant(roles.ADMIN, "funds.view_insured", "funds.draft_subsidy", "funds.verify_subsidy", "funds.approve_subsidy", "funds.pay_subsidy",
          "funds.file_claim", "funds.verify_claim", "funds.approve_claim", "funds.pay_claim", "funds.manage_fund")
