"""`/api/v1/origination/`: banks' systems list, check, approve and disburse applications.

Amounts are yuan strings with two decimals; every call is scoped like the UI.
"""

from __future__ import annotations

import datetime as dt

from ninja import File, Form, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from microcredit.apps.core.api_types import Day, Id, Limit, Offset, Rate, TermMonths, Text, Yuan
from microcredit.apps.core.clock import business_date
from microcredit.apps.households.selectors import households_in_scope
from microcredit.apps.origination import selectors, services
from microcredit.apps.origination.checks import policy_failures
from microcredit.apps.origination.models import LoanApplication
from microcredit.apps.reference.selectors import bank_list
from microcredit.domain.money import fen_to_yuan, yuan_to_fen
from microcredit.domain.workflow import APPLICATION

router = Router(tags=["贷款申请与发放"])


class FailureOut(Schema):
    rule: str
    field: str
    message: str


class ApplicationOut(Schema):
    id: int
    number: str
    household_id: int
    household_number: str
    borrower_name: str
    bank_code: str
    amount: str
    term_months: int
    usage_mode: str
    industry: str
    purpose: str
    state: str
    state_label: str
    applied_on: dt.date
    loan_number: str | None
    days_to_money: int | None


class ApplicationIn(Schema):
    household_id: Id
    borrower_id: Id | None = None
    bank_code: Text(16)
    amount: Yuan
    term_months: TermMonths
    usage_mode: Text(16) = "self"
    industry: Text(32)
    purpose: Text(200)
    project_description: Text() = ""
    partner_name: Text(64) = ""


class ActionIn(Schema):
    action: Text(20)
    opinion: Text() = ""


class DisburseIn(Schema):
    annual_rate: Rate
    method: Text(20)
    account_number: Text(40)
    disbursed_on: Day | None = None
    amount: Yuan | None = None
    term_months: TermMonths | None = None


def _out(a: LoanApplication) -> dict:
    return {
        "id": a.pk, "number": a.number, "household_id": a.household_id, "household_number": a.household.number,
        "borrower_name": a.borrower.name, "bank_code": a.bank.code, "amount": fen_to_yuan(a.amount),
        "term_months": a.term_months, "usage_mode": a.usage_mode, "industry": a.industry, "purpose": a.purpose,
        "state": a.state, "state_label": APPLICATION.label(a.state), "applied_on": a.applied_on,
        "loan_number": a.loan.number if a.loan_id else None, "days_to_money": a.days_to_money,
    }


def _need(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise HttpError(403, "无此权限")


def _get(request, pk: Id) -> LoanApplication:
    _need(request, "origination.view_loanapplication")
    try:
        return selectors.application_get(request.user, pk)
    except LoanApplication.DoesNotExist:
        raise HttpError(404, "申请不存在或不在管辖范围内")


def _resolve(request, payload: ApplicationIn):
    hh = households_in_scope(user=request.user).filter(pk=payload.household_id).first()
    bank = bank_list().filter(code=payload.bank_code).first()
    if hh is None:
        raise HttpError(404, "农户不存在或不在管辖范围内")
    if bank is None:
        raise HttpError(422, "未知的银行代码")
    members = hh.members.all()
    borrower = members.filter(pk=payload.borrower_id).first() if payload.borrower_id else members.filter(relation="head").first()
    if borrower is None:
        raise HttpError(422, "借款人必须是本户家庭成员")
    return hh, borrower, bank, yuan_to_fen(payload.amount)


@router.get("/applications", response=list[ApplicationOut], summary="申请列表（按管辖范围）")
def list_applications(request, state: Text(20) = "", limit: Limit = 100, offset: Offset = 0):
    _need(request, "origination.view_loanapplication")
    qs = selectors.application_list(request.user, state=state).select_related("loan")[offset:offset + limit]
    return [_out(a) for a in qs]


@router.get("/inbox", response=list[ApplicationOut], summary="待我审批")
def my_inbox(request):
    _need(request, "origination.view_loanapplication")
    return [_out(i.application) for i in selectors.inbox(request.user)]


@router.get("/applications/{pk}", response=ApplicationOut, summary="申请详情")
def get_application(request, pk: Id):
    return _out(_get(request, pk))


@router.post("/check", response=list[FailureOut], summary="政策检查（不保存），返回全部不符合的规则")
def check(request, payload: ApplicationIn):
    _need(request, "origination.apply_loan")
    hh, borrower, bank, amount = _resolve(request, payload)
    failures = policy_failures(household=hh, borrower=borrower, bank=bank, applied_on=business_date(), amount=amount,
                               term_months=payload.term_months, usage_mode=payload.usage_mode, purpose=payload.purpose,
                               partner_name=payload.partner_name, has_link_agreement=False)
    return [f._asdict() for f in failures]


@router.post("/applications", response={201: ApplicationOut, 422: dict}, summary="录入申请（multipart，可附协议）")
def create_application(request, payload: Form[ApplicationIn], link_agreement: File[UploadedFile] = None):
    _need(request, "origination.apply_loan")
    hh, borrower, bank, amount = _resolve(request, payload)
    documents = {"link_agreement": link_agreement} if link_agreement else {}
    app = services.application_create(
        household=hh, borrower=borrower, bank=bank, amount=amount, term_months=payload.term_months,
        usage_mode=payload.usage_mode, industry=payload.industry, purpose=payload.purpose,
        project_description=payload.project_description, partner_name=payload.partner_name,
        documents=documents, actor=request.user,
    )
    return 201, _out(app)


@router.post("/applications/{pk}/actions", response={200: ApplicationOut, 409: dict, 422: dict},
             summary="审批操作：submit / approve / return / reject / withdraw")
def act(request, pk: Id, payload: ActionIn):
    _need(request, "origination.review_application")
    app = _get(request, pk)
    app = services.application_transition(application=app, action=payload.action, actor=request.user,
                                          opinion=payload.opinion, via_api=True)
    return 200, _out(app)


@router.post("/applications/{pk}/disburse", response={200: dict, 409: dict, 422: dict}, summary="签约放款")
def disburse(request, pk: Id, payload: DisburseIn):
    """A contract that cannot be signed as entered is 409 with ``field`` (the first) and ``errors``
    (every field error) — a date after the business date or a wrong account number names
    ``disbursed_on`` / ``account_number``; a policy refusal (circuit breaker, risk-fund quota, 在贷)
    is 422 with ``failures``, as at application (``core.api_errors``)."""
    _need(request, "origination.disburse_loan")
    app = _get(request, pk)
    amount = yuan_to_fen(payload.amount) if payload.amount is not None else None
    app = services.application_disburse(
        application=app, actor=request.user, annual_rate=payload.annual_rate, method=payload.method,
        account_number=payload.account_number, disbursed_on=payload.disbursed_on, amount=amount,
        term_months=payload.term_months, via_api=True,
    )
    loan = app.loan
    return 200, {
        "application": _out(app), "loan_number": loan.number, "maturity_date": loan.maturity_date.isoformat(),
        "schedule": [{"seq": i.seq, "due_date": i.due_date.isoformat(), "principal": fen_to_yuan(i.principal),
                      "interest": fen_to_yuan(i.interest)} for i in loan.installments.order_by("seq")],
    }
