"""The household's writes in the portal (issue #14 §3): its own draft application, nothing else.

The application is origination's (``origination.services.application_create``: one transaction, the policy
rules all at once, audited) with the household's own user as the actor — DOMAIN §12 lets a household draft
(户申请); it then waits in the village clerk's to-do list for 村初审 (submit).
"""

from __future__ import annotations

from microcredit.apps.origination.services import PolicyRefused, application_create
from microcredit.domain.errors import DomainError

__all__ = ["ApplyRefused", "PolicyRefused", "household_apply"]


class ApplyRefused(DomainError):
    """The application names a bank or a borrower the household may not choose."""


def household_apply(*, user, household, borrower, bank, banks, amount: int, term_months: int, industry: str,
                    purpose: str, project_description: str = ""):
    """Draft an application of ``household`` by its own portal ``user``; refuses another household, a borrower
    outside the household, a bank outside ``banks`` (the county's), and every failing policy rule at once
    (``PolicyRefused``)."""
    if getattr(user, "household_id", None) != household.pk:
        raise ApplyRefused("household", "只能为本户申请贷款")
    if borrower.household_id != household.pk:
        raise ApplyRefused("borrower", "借款人须是本户家庭成员")
    if not banks.filter(pk=bank.pk).exists():
        raise ApplyRefused("bank", "请选择本县的合作银行")
    return application_create(household=household, borrower=borrower, bank=bank, amount=amount,
                              term_months=term_months, industry=industry, purpose=purpose,
                              project_description=project_description, actor=user)
