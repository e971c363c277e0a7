"""Writes on loans. Every function is one business action in a transaction, with audit.

`loan_open` is the one way a loan comes into being (disbursement, renewal); servicing actions
(repayment, settlement, extension, write-off, reversal) add events and refresh the cached state.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from microcredit.apps.audit.services import record_audit, snapshot
from microcredit.apps.loans.models import EventKind, Installment, Loan, LoanEvent
from microcredit.domain.schedules import LoanTerms, build_schedule


def loan_terms(loan: Loan) -> LoanTerms:
    """The domain terms of a stored loan."""
    return LoanTerms(
        principal=loan.principal, annual_rate=Decimal(loan.annual_rate), disbursed_on=loan.disbursed_on,
        term_months=loan.term_months, method=loan.method,
    )


def _next_number(bank_code: str, day: dt.date) -> str:
    prefix = f"{bank_code}{day:%Y%m%d}"
    count = Loan.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{count + 1:05d}"


@transaction.atomic
def loan_open(
    *, household, borrower, bank, principal: int, annual_rate: Decimal, cap_rate: Decimal,
    disbursed_on: dt.date, term_months: int, method: str, policy_era: str, actor,
    subsidy_ratio: Decimal = Decimal("1"), usage_mode: str = "self", industry: str = "", purpose: str = "",
    account_number: str = "", branch=None, renewed_from: Loan | None = None, number: str | None = None,
) -> Loan:
    """Create the loan account, its schedule (domain) and its disbursement event (DOMAIN §5.2).

    Input is assumed validated (policy checks, cap rate) by the caller's form/service.
    """
    terms = LoanTerms(principal, Decimal(annual_rate), disbursed_on, term_months, method)
    schedule = build_schedule(terms)
    loan = Loan.objects.create(
        number=number or _next_number(bank.code, disbursed_on), household=household, borrower=borrower,
        bank=bank, branch=branch, region_code=household.region_code, policy_era=policy_era,
        principal=principal, annual_rate=annual_rate, cap_rate=cap_rate, subsidy_ratio=subsidy_ratio,
        disbursed_on=disbursed_on, term_months=term_months, maturity_date=schedule.maturity_date,
        method=method, usage_mode=usage_mode, industry=industry, purpose=purpose,
        account_number=account_number, renewed_from=renewed_from,
        principal_outstanding=principal, state_as_of=disbursed_on,
        next_due_date=schedule.installments[0].due_date,
    )
    Installment.objects.bulk_create(
        Installment(loan=loan, schedule_version=1, seq=i.seq, period_start=i.period_start,
                    due_date=i.due_date, principal=i.principal, interest=i.interest)
        for i in schedule.installments
    )
    LoanEvent.objects.create(
        loan=loan, kind=EventKind.DISBURSEMENT, on=disbursed_on, amount=principal,
        data={"account_number": account_number}, created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record_audit(
        actor=actor, action="loan.disburse", obj=loan, after=snapshot(loan),
        region_code=loan.region_code, household_id=household.pk,
    )
    return loan
