"""Writes of loan origination (DOMAIN §4, §11, §12). Each is one transaction with audit.

``application_create`` refuses with every failing policy rule at once; ``application_transition``
re-checks state, role, scope and segregation of duties under a row lock; ``application_disburse``
checks the contract terms (cap rate, date, account) and opens the loan through
``loans.services.loan_open`` — the only way. The bank's decision and the disbursement commit
money: both re-run the circuit breakers, the risk-fund quota and "one loan outstanding"
(``domain.policy.AT_BANK_DECISION`` / ``AT_DISBURSEMENT``) under the application's row lock.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from microcredit.apps.accounts.roles import HOUSEHOLD
from microcredit.apps.accounts.scope import Scope
from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.clock import business_date, now
from microcredit.apps.core.documents import document_errors, sniffed_type
from microcredit.apps.core.models import SystemSetting
from microcredit.apps.core.workflow import WorkflowRefused, actor_or_none, transition_take
from microcredit.apps.funds.selectors import county_subsidy_mode
from microcredit.apps.loans.services import loan_open
from microcredit.apps.origination.checks import commitment_failures, disbursement_errors, era_terms, policy_failures
from microcredit.apps.origination.models import ApplicationDocument, DocumentKind, LoanApplication
from microcredit.apps.rating.selectors import current_rating
from microcredit.domain.errors import DomainError, FieldError
from microcredit.domain.guards import account_number_errors, money_date_errors, normalize_account_number
from microcredit.domain.money import fen_to_yuan
from microcredit.domain.policy import AT_BANK_DECISION, AT_DISBURSEMENT, PolicyFailure
from microcredit.domain.schedules import LoanTerms, validate_terms
from microcredit.domain.workflow import APPLICATION

NOTICE_SETTING = "origination.borrower_notice_days"


class PolicyRefused(DomainError):
    """The application breaks policy rules; ``failures`` lists every one."""

    def __init__(self, failures: list[PolicyFailure]) -> None:
        super().__init__(failures[0].field, "；".join(str(f) for f in failures))
        self.failures = failures


class DisbursementRefused(WorkflowRefused):
    """The contract cannot be signed as entered; ``errors`` lists every field error at once."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(errors[0].field, "；".join(e.message for e in errors))
        self.errors = errors


def _save_document(application, kind: str, upload, actor) -> ApplicationDocument:
    errors = document_errors(upload)
    if errors:
        raise DomainError.from_errors(errors)
    if kind not in DocumentKind.values:
        raise DomainError("kind", f"未知的材料类型：{kind}")
    return ApplicationDocument.objects.create(
        application=application, kind=kind, file=upload, original_name=upload.name[:128],
        content_type=sniffed_type(upload), size=upload.size, uploaded_by=actor_or_none(actor),
    )


def _number(region_code: str, day: dt.date) -> str:
    prefix = f"SQ{region_code[:6]}{day:%Y%m%d}"
    return f"{prefix}{LoanApplication.objects.filter(number__startswith=prefix).count() + 1:04d}"


def _may_apply_for(actor, household) -> bool:
    """A user whose scope covers the household, or the household's own portal user (DOMAIN §12: 户申请 —
    a household drafts its own application, issue #14 §3; never another household's)."""
    if getattr(actor, "role", "") == HOUSEHOLD:
        return actor.household_id == household.pk
    return Scope.of(actor).covers(household.region_code)


@transaction.atomic
def application_create(*, household, borrower, bank, amount: int, term_months: int, industry: str, purpose: str,
                       actor, usage_mode: str = "self", project_description: str = "", partner_name: str = "",
                       documents: dict | None = None, on: dt.date | None = None,
                       check: bool = True) -> LoanApplication:
    """Enter an application (draft) for a household; refuses with every failing rule at once."""
    on = on or business_date()
    documents = documents or {}
    if actor_or_none(actor) is not None and not _may_apply_for(actor, household):
        raise WorkflowRefused("household", "该户不在您的管辖范围内")
    for upload in documents.values():
        errors = document_errors(upload)
        if errors:
            raise DomainError.from_errors(errors)
    if check:
        failures = policy_failures(
            household=household, borrower=borrower, bank=bank, applied_on=on, amount=amount,
            term_months=term_months, usage_mode=usage_mode, purpose=purpose, partner_name=partner_name,
            has_link_agreement="link_agreement" in documents,
        )
        if failures:
            raise PolicyRefused(failures)
    terms, _era = era_terms(on)
    app = LoanApplication.objects.create(
        number=_number(household.region_code, on), household=household, borrower=borrower,
        region_code=household.region_code, bank=bank, rating=current_rating(household, on),
        policy_era=terms.code if terms else "", applied_on=on, amount=amount, term_months=term_months,
        usage_mode=usage_mode, industry=industry, purpose=purpose, project_description=project_description,
        partner_name=partner_name, state=APPLICATION.initial, state_entered_on=on, created_by=actor_or_none(actor),
    )
    for kind, upload in documents.items():
        _save_document(app, kind, upload, actor)
    record_audit(actor=actor, action="application.create", obj=app, region_code=app.region_code,
                 household_id=household.pk,
                 after={"amount": fen_to_yuan(amount), "term_months": term_months, "bank": str(bank),
                        "purpose": purpose, "usage_mode": usage_mode})
    return app


def _audit(app: LoanApplication, action: str, opinion: str, actor) -> None:
    record_audit(actor=actor, action=f"application.{action}", obj=app, region_code=app.region_code,
                 household_id=app.household_id, before={"state": app.taken.from_state},
                 after={"state": app.taken.to_state}, note=opinion)


@transaction.atomic
def application_transition(*, application: LoanApplication, action: str, actor, opinion: str = "",
                           on: dt.date | None = None, via_api: bool = False) -> LoanApplication:
    """Take one step of the five-step approval (not ``disburse``, see ``application_disburse``)."""
    on = on or business_date()
    if action == "disburse":
        raise WorkflowRefused("action", "放款请使用签约放款功能")
    errors = money_date_errors(on, business_date(), earliest=application.applied_on, earliest_label="申请日期",
                               field="on", label="审批日期")
    if errors:
        raise WorkflowRefused(errors[0].field, errors[0].message)

    def effect(app: LoanApplication, t) -> None:
        if t.next_state == "approved":  # the bank's decision commits the money: re-check under the lock
            failures = commitment_failures(AT_BANK_DECISION, household=app.household, bank=app.bank,
                                           amount=app.amount, on=business_date())
            if failures:
                raise PolicyRefused(failures)
            app.approved_on = on
            days = int(SystemSetting.get(NOTICE_SETTING, "0") or 0)
            app.notice_ends_on = on + dt.timedelta(days=days) if days else None
        if action == "submit":
            failures = policy_failures(
                household=app.household, borrower=app.borrower, bank=app.bank, applied_on=app.applied_on,
                amount=app.amount, term_months=app.term_months, usage_mode=app.usage_mode, purpose=app.purpose,
                partner_name=app.partner_name, exclude_application=app,
                has_link_agreement=app.documents.filter(kind="link_agreement").exists(),
            )
            if failures:
                raise PolicyRefused(failures)
            app.submitted_at = now()

    app = transition_take(APPLICATION, application, action, actor=actor, opinion=opinion, on=on, via_api=via_api,
                          effect=effect)
    _audit(app, action, opinion, actor)
    return app


@transaction.atomic
def application_disburse(*, application: LoanApplication, actor, annual_rate: Decimal, method: str,
                         disbursed_on: dt.date | None = None, account_number: str, amount: int | None = None,
                         term_months: int | None = None, opinion: str = "", via_api: bool = False):
    """Sign the contract and disburse: checks the terms and the cap rate, then ``loan_open``."""
    today = business_date()
    disbursed_on = disbursed_on or today

    def effect(app: LoanApplication, _t) -> str:
        nonlocal amount, term_months
        amount = app.amount if amount is None else amount
        term_months = app.term_months if term_months is None else term_months
        errors, cap, era = disbursement_errors(app, amount=amount, term_months=term_months, annual_rate=annual_rate,
                                               disbursed_on=disbursed_on)
        errors += money_date_errors(disbursed_on, today, earliest=app.approved_on or app.applied_on,
                                    earliest_label="审定日期" if app.approved_on else "申请日期",
                                    field="disbursed_on", label="放款日期")
        errors += validate_terms(LoanTerms(amount, Decimal(annual_rate), disbursed_on, term_months, method))
        errors += account_number_errors(account_number)
        if errors:
            raise DisbursementRefused(errors)
        # The money goes out now: breakers, quota and "one loan outstanding" as they stand today.
        failures = commitment_failures(AT_DISBURSEMENT, household=app.household, bank=app.bank, amount=amount,
                                       on=today, lock=True)
        if failures:
            raise PolicyRefused(failures)
        app.loan = loan_open(
            household=app.household, borrower=app.borrower, bank=app.bank, principal=amount,
            annual_rate=Decimal(annual_rate), cap_rate=cap, disbursed_on=disbursed_on, term_months=term_months,
            method=method, policy_era=app.policy_era, actor=actor,
            subsidy_ratio=era.subsidy_ratio if era else Decimal(1),
            subsidy_max_years=era.subsidy_max_years if era else 3,
            usage_mode=app.usage_mode, industry=app.industry, purpose=app.purpose,
            account_number=normalize_account_number(account_number),
            subsidy_mode=county_subsidy_mode(bank=app.bank, county_code=app.household.region_code),
        )
        app.disbursed_on = disbursed_on
        app.days_to_money = (disbursed_on - app.applied_on).days
        return opinion or f"借据 {app.loan.number}"

    app = transition_take(APPLICATION, application, "disburse", actor=actor, opinion=opinion, on=disbursed_on,
                          via_api=via_api, effect=effect)
    _audit(app, "disburse", app.taken.opinion, actor)
    return app


AUDIT_ACTIONS = {  # action code → label (audit log, issue #11 §3)
    "application.create": _("登记贷款申请"),
    "application.submit": _("提交贷款申请"), "application.withdraw": _("撤回贷款申请"),
    "application.approve": _("审批同意贷款申请"), "application.return": _("退回贷款申请"),
    "application.reject": _("否决贷款申请"), "application.disburse": _("签约放款"),
}
