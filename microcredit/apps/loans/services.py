"""Writes on loans. Every function is one business action in a transaction, with audit.

`loan_open` is the one way a loan comes into being (disbursement, renewal); servicing actions
(repayment, settlement, extension, write-off, reversal) add events and refresh the cached state.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Iterator

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from microcredit.apps.audit.services import record_audit, snapshot
from microcredit.apps.core.clock import business_date
from microcredit.apps.loans.selectors import other_active_loan
from microcredit.apps.loans.models import EventKind, Installment, Loan, LoanEvent, SubsidyMode
from microcredit.domain.errors import DomainError
from microcredit.domain.guards import check_account_number, check_money_date
from microcredit.domain.schedules import LoanTerms, build_schedule

ONE_ACTIVE_MESSAGE = "该户已有一笔在贷的政策性贷款，结清前不能再贷（每户至多一笔在贷政策性贷款）"


class LoanRefused(DomainError):
    """A loan that may not be opened (field + Chinese message)."""


@contextlib.contextmanager
def one_active_guard(household, exclude: Loan | None = None, *, error: type[DomainError] = LoanRefused,
                     field: str = "household") -> Iterator[None]:
    """Turn a breach of ``loan_one_active_per_household`` by the writes inside into ``error`` (never a
    500). The writes run in a savepoint, so the database answers the follow-up question."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        if other_active_loan(household, exclude) is not None:
            raise error(field, ONE_ACTIVE_MESSAGE) from exc
        raise


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
    subsidy_mode: str = SubsidyMode.CLAIM, subsidy_max_years: int = 3,
) -> Loan:
    """Create the loan account, its schedule (domain) and its disbursement event (DOMAIN §5.2).

    Policy checks and the cap rate are the caller's (origination's disbursement, servicing's
    renewal). Refused here, whoever calls, with :class:`LoanRefused`: a disbursement dated after
    the business date, an account number that is not one (a new loan's; a renewal keeps the old
    loan's account), and a second 在贷 loan for the household (DOMAIN §4; also a database
    constraint, whose breach under a race is reported the same way).

    ``subsidy_mode`` (先收后补 "claim" / 直接贴付 "direct") is the caller's too: origination passes the
    county × bank's current mode (a funds selector), renewal the old loan's. It stays with the loan.
    """
    if subsidy_mode not in SubsidyMode.values:
        raise LoanRefused("subsidy_mode", "贴息方式须为先收后补或直接贴付")
    check_money_date(disbursed_on, business_date(), field="disbursed_on", label="放款日期", error=LoanRefused)
    if renewed_from is None and account_number:
        account_number = check_account_number(account_number, error=LoanRefused)
    if other_active_loan(household) is not None:
        raise LoanRefused("household", ONE_ACTIVE_MESSAGE)
    terms = LoanTerms(principal, Decimal(annual_rate), disbursed_on, term_months, method)
    schedule = build_schedule(terms)
    with one_active_guard(household):
        loan = Loan.objects.create(
            number=number or _next_number(bank.code, disbursed_on), household=household, borrower=borrower,
            bank=bank, branch=branch, region_code=household.region_code, policy_era=policy_era,
            principal=principal, annual_rate=annual_rate, cap_rate=cap_rate, subsidy_ratio=subsidy_ratio,
            subsidy_mode=subsidy_mode, subsidy_max_years=subsidy_max_years,
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


@transaction.atomic
def loan_risk_flag_set(*, loan: Loan, flag: str, actor, note: str = "") -> None:
    """Mark the loan's risk (e.g. "malicious_default": no more subsidy, the warning light turns red)."""
    before = loan.risk_flag
    Loan.objects.filter(pk=loan.pk).update(risk_flag=flag)
    loan.risk_flag = flag
    record_audit(actor=actor, action="loan.risk_flag", obj=loan, before={"risk_flag": before},
                 after={"risk_flag": flag}, region_code=loan.region_code, household_id=loan.household_id, note=note)


AUDIT_ACTIONS = {  # action code → label (audit log, issue #11 §3)
    "loan.disburse": _("发放贷款"), "loan.risk_flag": _("标记风险"), "loan.repayment": _("登记还款"),
    "loan.settlement": _("提前结清"), "loan.extend": _("办理展期"), "loan.renew": _("办理续贷"),
    "loan.write_off": _("核销贷款"), "loan.subsidy_mode": _("变更贴息方式"), "loan.reverse": _("冲正"),
    "repayment.batch": _("批量导入还款"),
    "classification.propose": _("提出五级分类调整"), "classification.approve": _("确认五级分类调整"),
    "classification.reject": _("否决五级分类调整"),
    "extension.request": _("提出展期续贷申请"), "extension.approve": _("展期续贷同意"),
    "extension.return": _("展期续贷退回"), "extension.reject": _("展期续贷否决"), "extension.withdraw": _("撤回展期续贷申请"),
}
