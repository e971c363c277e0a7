"""The household page's loans section: applications and loans, with the 申请贷款 link."""

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.loans.selectors import loan_list
from microcredit.apps.origination.models import LoanApplication


def loans_panel(user, household) -> dict | None:
    if not (user.has_perm("origination.view_loanapplication") or user.has_perm("loans.view_loan")):
        return None
    scope = Scope.of(user)
    applications = scope.filter_bank(LoanApplication.objects.filter(household=household).select_related("bank"))
    loans = loan_list(user=user, household=household)
    return {
        "template": "origination/household_panel.html",
        "applications": applications.order_by("-applied_on", "-id")[:20],
        "loans": loans.order_by("-disbursed_on", "-id")[:20],
        "can_apply": user.has_perm("origination.apply_loan"),
    }
