"""Role grants of the origination app (read by accounts.roles.sync_roles)."""

from microcredit.apps.accounts.roles import (
    ADMIN, AUDITOR, BANK, COUNTY, HOUSEHOLD, TOWNSHIP, VILLAGE, grant,
)

_VIEW = "origination.view_loanapplication"
grant(VILLAGE, _VIEW, "origination.apply_loan", "origination.review_application")
grant(TOWNSHIP, _VIEW, "origination.review_application")
grant(COUNTY, _VIEW, "origination.review_application")
grant(BANK, _VIEW, "origination.review_application", "origination.disburse_loan")
grant(AUDITOR, _VIEW)
grant(HOUSEHOLD, "origination.apply_loan")
grant(ADMIN, _VIEW, "origination.apply_loan", "origination.review_application", "origination.disburse_loan")
