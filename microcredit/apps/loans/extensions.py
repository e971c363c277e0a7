"""Extension (展期) and renewal (续贷) as a workflow (DOMAIN §12; issue #12 §11): requested by the bank or
the household (the village clerk on its behalf) → village opinion → township opinion → bank decision,
before maturity (``domain.workflow.EXTENSION``, ADR 0007). The bank's approval extends or renews the loan
(``servicing.loan_extend`` / ``loan_renew``) in the same transaction; on or after maturity every approval
is refused (``domain.restructuring.request_errors``).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.workflow import actor_or_none, is_admin, transition_take
from microcredit.apps.loans.models import ExtensionKind, ExtensionRequest, ExtensionStep, Loan, LoanStatus
from microcredit.apps.loans.selectors import loans_visible
from microcredit.apps.loans.servicing import loan_extend, loan_renew
from microcredit.domain.access import BANK, VILLAGE
from microcredit.domain.errors import DomainError, FieldError
from microcredit.domain.restructuring import REQUEST_KINDS, request_errors
from microcredit.domain.workflow import EXTENSION

OPEN = ("village_opinion", "township_opinion", "bank_decision")
REQUESTERS = (BANK, VILLAGE)


class ExtensionError(DomainError):
    """A request the rule refuses (field + Chinese message)."""


def _maturity_errors(req: ExtensionRequest, loan: Loan, on: dt.date):
    """The request's "before maturity" rule on ``on`` against the loan as it is now."""
    return [e for e in request_errors(kind=req.kind, on=on, disbursed_on=loan.disbursed_on, maturity=loan.maturity_date,
                                      new_maturity=req.new_maturity, new_term_months=req.new_term_months,
                                      reason=req.reason) if e.field in ("on", "new_maturity")]


@transaction.atomic
def extension_request(*, loan: Loan | int, kind: str, reason: str, actor, new_maturity: dt.date | None = None,
                      new_term_months: int | None = None, without_principal_repayment: bool = False,
                      on: dt.date | None = None, via_api: bool = False) -> ExtensionRequest:
    """The bank, or the village clerk for the household, asks for an extension or a renewal (refused with
    every reason at once)."""
    on = on or business_date()
    pk = getattr(loan, "pk", loan)
    person = actor_or_none(actor)
    role = getattr(person, "role", "") if person else ""
    if person is not None and not is_admin(person):
        if role not in REQUESTERS:
            raise ExtensionError("role", "展期、续贷由贷款银行或村级（代农户）提出")
        if not loans_visible(user=person).filter(pk=pk).exists():
            raise ExtensionError("loan", "该贷款不在您的管辖范围内")
    loan = Loan.objects.select_for_update().get(pk=pk)
    if loan.status != LoanStatus.ACTIVE:
        raise ExtensionError("loan", f"贷款状态为“{loan.get_status_display()}”，不能申请展期或续贷")
    if on > business_date():
        raise ExtensionError("on", "申请日期不能晚于业务日期")
    if kind != ExtensionKind.EXTENSION:
        new_maturity = None
    if kind != ExtensionKind.RENEWAL:
        new_term_months, without_principal_repayment = None, False
    errors = request_errors(kind=kind, on=on, disbursed_on=loan.disbursed_on, maturity=loan.maturity_date,
                            new_maturity=new_maturity, new_term_months=new_term_months, reason=reason)
    if ExtensionRequest.objects.filter(loan=loan, state__in=OPEN).exists():
        errors.append(FieldError("loan", "该贷款已有在办的展期或续贷申请"))
    if errors:
        raise ExtensionError(errors[0].field, "；".join(e.message for e in errors))
    count = ExtensionRequest.objects.filter(requested_on__year=on.year).count() + 1
    req = ExtensionRequest.objects.create(
        number=f"ZQ{on:%Y}{loan.pk:08d}{count:05d}", loan=loan, kind=kind, new_maturity=new_maturity,
        new_term_months=new_term_months, without_principal_repayment=without_principal_repayment,
        reason=reason.strip(), state=EXTENSION.initial, state_entered_on=on, requested_on=on, requested_by=person,
        requested_role=role or "system")
    ExtensionStep.objects.create(request=req, from_state="", action="request", to_state=req.state, actor=person,
                                 actor_role=role, on=on, opinion=req.reason, via_api=via_api)
    record_audit(actor=actor, action="extension.request", obj=req,
                 after={"kind": kind, "new_maturity": new_maturity.isoformat() if new_maturity else None,
                        "new_term_months": new_term_months}, region_code=loan.region_code,
                 household_id=loan.household_id, note=req.reason[:200])
    return req


@transaction.atomic
def extension_transition(*, request: ExtensionRequest | int, action: str, actor, opinion: str = "",
                         on: dt.date | None = None, via_api: bool = False) -> ExtensionRequest:
    """One step of the request through the kit; the bank's approval extends or renews the loan."""
    on = on or business_date()
    if on > business_date():
        raise ExtensionError("on", "办理日期不能晚于业务日期")

    def effect(req: ExtensionRequest, t) -> str | None:
        if action != "approve":
            return None
        loan = Loan.objects.select_for_update().get(pk=req.loan_id)
        if loan.status != LoanStatus.ACTIVE:
            raise ExtensionError("loan", f"贷款状态为“{loan.get_status_display()}”，不能展期或续贷")
        errors = _maturity_errors(req, loan, on)
        if errors:
            raise ExtensionError(errors[0].field, "；".join(e.message for e in errors))
        if t.next_state != "approved":
            return None
        decision = opinion.strip() or f"同意{REQUEST_KINDS[req.kind]}（申请 {req.number}）"
        if req.kind == ExtensionKind.EXTENSION:
            loan_extend(loan=loan, on=on, actor=actor, new_maturity=req.new_maturity, decision=decision)
        else:
            req.new_loan = loan_renew(loan=loan, on=on, new_term_months=req.new_term_months, actor=actor,
                                      without_principal_repayment=req.without_principal_repayment, decision=decision)
        return decision

    req = transition_take(EXTENSION, request, action, actor=actor, opinion=opinion, on=on, via_api=via_api,
                          effect=effect)
    record_audit(actor=actor, action=f"extension.{action}", obj=req, before={"state": req.taken.from_state},
                 after={"state": req.state, "new_loan": req.new_loan.number if req.new_loan_id else None},
                 region_code=req.loan.region_code, household_id=req.loan.household_id, note=opinion[:200])
    return req
