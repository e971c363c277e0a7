"""Role grants of the origination app (granted in the app's AppConfig.ready())."""

from microcredit.apps.accounts.roles import (
    ADMIN, AUDITOR, BANK, COUNTY, HOUSEHOLD, TOWNSHIP, VILLAGE, grant,
)


def grant_roles() -> None:
    """Called by the app's AppConfig.ready(); `grant` is idempotent."""
    view = "origination.view_loanapplication"
    grant(VILLAGE, view, "origination.apply_loan", "origination.review_application")
    grant(TOWNSHIP, view, "origination.review_application")
    grant(COUNTY, view, "origination.review_application")
    grant(BANK, view, "origination.review_application", "origination.disburse_loan")
    grant(AUDITOR, view)
    grant(HOUSEHOLD, "origination.apply_loan")
    grant(ADMIN, view, "origination.apply_loan", "origination.review_application", "origination.disburse_loan")
