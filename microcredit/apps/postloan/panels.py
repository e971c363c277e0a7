"""Sections of the loan page and the household page (issue #12 §1): risk flags with their history and,
for the loan, its usage checks; the set/clear forms for those allowed."""

from __future__ import annotations

from microcredit.apps.core.clock import business_date
from microcredit.apps.loans.selectors import LoanStatus
from microcredit.apps.postloan import selectors
from microcredit.apps.postloan.forms import FlagClearForm, FlagSetForm
from microcredit.domain.postloan import check_status


def _open_first(flags: list) -> list:
    return [f for f in flags if f.is_open] + [f for f in flags if not f.is_open]


def loan_panel(user, loan) -> dict | None:
    if not user.has_perm("postloan.view_check"):
        return None
    today = business_date()
    active = loan.status == LoanStatus.ACTIVE
    last = selectors.last_check_on(loan)
    flags = list(selectors.flags_of_loan(loan)[:50])
    return {
        "template": "postloan/loan_panel.html", "loan": loan, "flags": _open_first(flags),
        "checks": list(selectors.checks_of_loan(loan)[:20]),
        "next_check": check_status(loan.disbursed_on, last, today) if active else None,
        "can_flag": active and user.has_perm("postloan.manage_flag"),
        "can_check": active and user.has_perm("postloan.record_check"),
        "set_form": FlagSetForm(initial={"loan": loan.pk}), "clear_form": FlagClearForm(),
    }


def household_panel(user, household) -> dict | None:
    if not user.has_perm("postloan.view_check"):
        return None
    flags = list(selectors.flags_of_household(household)[:50])
    return {
        "template": "postloan/household_panel.html", "household": household, "flags": _open_first(flags),
        "can_flag": user.has_perm("postloan.manage_flag"),
        "set_form": FlagSetForm(initial={"household": household.pk}), "clear_form": FlagClearForm(),
    }
