"""The household portal's API (`/api/v1/portal`, issue #14 §4): sign-in by code (`api_auth`), then the
household's own data and applications. A portal token opens nothing else (`web.api.BearerToken`)."""

from __future__ import annotations

import datetime as dt
import json

from ninja import Schema
from pydantic import TypeAdapter
from ninja.errors import HttpError

from microcredit.apps.core.api_types import Yuan
from microcredit.apps.core.clock import business_date
from microcredit.apps.portal import api_auth, selectors, services
from microcredit.apps.portal.access import is_household_user
from microcredit.apps.portal.forms import INDUSTRIES, ApplyForm
from microcredit.domain.money import fen_to_yuan
from microcredit.domain.workflow import ACTION_LABELS, APPLICATION

router = api_auth.router  # one router: sign-in first (api_auth), then the household's own data


# --- the household's own data (issue #14 §4). The household is the token's (or the session's) user's,
# never a parameter: there is no household id anywhere in these paths or bodies.

MAX_BODY = 8 * 1024


class RatingOut(Schema):
    grade: str
    credit_limit: str  # yuan
    valid_until: dt.date | None
    expired: bool


class LoanOut(Schema):
    id: int
    number: str
    bank: str
    status: str
    status_label: str
    principal: str
    disbursed_on: dt.date
    maturity_date: dt.date
    principal_outstanding: str
    next_due_date: dt.date | None
    next_due_amount: str | None  # principal + interest of that instalment still unpaid
    next_due_household_amount: str | None  # 直接贴付: without the subsidy's share
    paid_so_far: str  # the household's own payments
    days_overdue: int
    overdue_amount: str


class HouseholdOut(Schema):
    name: str
    village: str


class MeOut(Schema):
    household: HouseholdOut
    rating: RatingOut | None
    loans: list[LoanOut]


class StepOut(Schema):
    on: dt.date
    action_label: str
    state_label: str
    opinion: str


class ApplicationOut(Schema):
    id: int
    number: str
    applied_on: dt.date
    amount: str
    term_months: int
    industry: str
    purpose: str
    bank: str
    state_label: str
    steps: list[StepOut]


class FailureOut(Schema):
    rule: str
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    field: str | None = None
    errors: dict[str, list[str]] | None = None
    failures: list[FailureOut] | None = None


APPLY_BODY = {"content": {"application/json": {"schema": {
    "type": "object", "required": ["industry", "purpose", "amount", "term_months", "bank_code"],
    "properties": {
        "industry": {"type": "string", "enum": INDUSTRIES}, "purpose": {"type": "string", "maxLength": 200},
        "project_description": {"type": "string", "maxLength": 1000},
        "amount": {**TypeAdapter(Yuan).json_schema(), "description": "元，两位小数，例如 30000.00（数字或文字）"},
        "term_months": {"type": "integer", "minimum": 1, "maximum": 120},
        "bank_code": {"type": "string", "maxLength": 16}, "borrower_id": {"type": "integer"}}}}}}


def _household(request):
    if not is_household_user(request.user):
        raise HttpError(403, "仅供贷款农户使用")
    return request.user.household


def _yuan(fen: int | None) -> str | None:
    return None if fen is None else fen_to_yuan(fen)


def _loan_out(v) -> dict:
    loan, nd = v.loan, v.next_due
    return {"id": loan.pk, "number": loan.number, "bank": str(loan.bank), "status": loan.status,
            "status_label": loan.get_status_display(), "principal": fen_to_yuan(loan.principal),
            "disbursed_on": loan.disbursed_on, "maturity_date": loan.maturity_date,
            "principal_outstanding": fen_to_yuan(v.state.principal_outstanding),
            "next_due_date": nd.due_date if nd else None, "next_due_amount": _yuan(nd.amount if nd else None),
            "next_due_household_amount": _yuan(nd.household_amount if nd else None),
            "paid_so_far": fen_to_yuan(v.household_paid), "days_overdue": v.state.days_past_due,
            "overdue_amount": fen_to_yuan(v.overdue_amount)}


def _application_out(app) -> dict:
    return {"id": app.pk, "number": app.number, "applied_on": app.applied_on, "amount": fen_to_yuan(app.amount),
            "term_months": app.term_months, "industry": app.industry, "purpose": app.purpose, "bank": str(app.bank),
            "state_label": APPLICATION.label(app.state),
            "steps": [{"on": t.on, "action_label": ACTION_LABELS.get(t.action, ""),
                       "state_label": APPLICATION.label(t.to_state), "opinion": t.opinion}
                      for t in app.transitions.all()]}


@router.get("/me", response={200: MeOut, 403: ErrorOut}, summary="本户信息：信用等级、授信额度、贷款与下次应还")
def me(request):
    household = _household(request)
    today = business_date()
    credit = selectors.credit_view(household, today)
    rating = credit.rating
    return 200, {
        "household": {"name": household.head_name, "village": credit.village_name},
        "rating": {"grade": rating.grade, "credit_limit": fen_to_yuan(rating.credit_limit),
                   "valid_until": rating.valid_until, "expired": credit.expired} if rating and rating.grade else None,
        "loans": [_loan_out(selectors.loan_view(loan, today)) for loan in selectors.household_loans(household)[:20]],
    }


@router.get("/applications", response={200: list[ApplicationOut], 403: ErrorOut}, summary="本户的贷款申请及进度")
def my_applications(request):
    household = _household(request)
    return 200, [_application_out(a) for a in selectors.household_applications(household)[:50]]


@router.post("/applications", response={201: ApplicationOut, 400: ErrorOut, 403: ErrorOut, 422: ErrorOut},
             summary="本户提交贷款申请（草稿，送村金融服务室初审）", openapi_extra={"requestBody": APPLY_BODY})
def apply(request):
    """JSON ``{industry, purpose, project_description?, amount (元), term_months, bank_code, borrower_id?}``.
    Field errors: 422 ``{"detail", "errors": {field: [messages]}}``; policy failures: 422 with every one in
    ``failures`` (``core.api_errors``)."""
    household = _household(request)
    if len(request.body) > MAX_BODY:
        return 400, {"detail": "请求内容过长"}
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return 400, {"detail": "请求内容不是有效的 JSON"}
    if not isinstance(data, dict):
        return 400, {"detail": "请求内容须是 JSON 对象"}
    banks = selectors.county_banks(household)
    fields = {k: data.get(k) for k in ("industry", "purpose", "project_description", "amount", "term_months")}
    bank = banks.filter(code=str(data.get("bank_code", ""))[:16]).first()
    head = household.members.filter(relation="head").first()
    fields["bank"] = bank.pk if bank else -1
    borrower = data.get("borrower_id", head.pk if head else None)
    fields["borrower"] = borrower if isinstance(borrower, int) and not isinstance(borrower, bool) else -1
    form = ApplyForm({k: ("" if v is None else str(v)[:2000]) for k, v in fields.items()}, household=household,
                     banks=banks)
    if not form.is_valid():
        errors = {("bank_code" if k == "bank" else "borrower_id" if k == "borrower" else k): [str(m) for m in v]
                  for k, v in form.errors.items()}
        first = next(iter(errors.items()))
        return 422, {"detail": f"{first[1][0]}", "field": first[0], "errors": errors}
    d = form.cleaned_data
    app = services.household_apply(user=request.user, household=household, borrower=d["borrower"], bank=d["bank"],
                                   banks=banks, amount=d["amount"], term_months=d["term_months"],
                                   industry=d["industry"], purpose=d["purpose"],
                                   project_description=d["project_description"])
    return 201, _application_out(app)
