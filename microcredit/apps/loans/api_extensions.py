"""Extension / renewal requests through the workflow kit (DOMAIN §12; issue #12 §11).

`GET /api/v1/loans/extensions` — the requests in the caller's scope (``state``, ``open``);
`POST /api/v1/loans/extensions` — {loan_id, kind: extension|renewal, new_maturity | new_term_months,
without_principal_repayment, reason}: the bank, or the village clerk for the household, asks (201);
`POST /api/v1/loans/extensions/{id}/actions` — {action, opinion}: a step of the kit (approve / return /
reject / withdraw); the bank's approval extends or renews the loan. Refusals: 409 (the kit), 422 (the rule).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Query, Router, Schema
from ninja.errors import HttpError

from microcredit.apps.core.api_schemas import ActionOut, StepOut, actions_out, steps_out
from microcredit.apps.core.api_types import Day, Id, Limit, Offset, Text
from microcredit.apps.loans import selectors
from microcredit.apps.loans.extensions import extension_request, extension_transition
from microcredit.apps.loans.models import ExtensionRequest, Loan
from microcredit.domain.workflow import EXTENSION

router = Router(tags=["展期续贷"])


class ExtensionOut(Schema):
    id: int
    number: str
    loan_id: int
    loan_number: str
    kind: str
    kind_label: str
    new_maturity: dt.date | None
    new_term_months: int | None
    without_principal_repayment: bool
    reason: str
    state: str
    state_label: str
    requested_on: dt.date
    new_loan_id: int | None
    actions: list[ActionOut]
    steps: list[StepOut]


def _out(req: ExtensionRequest, user) -> dict:
    return {
        "id": req.pk, "number": req.number, "loan_id": req.loan_id, "loan_number": req.loan.number,
        "kind": req.kind, "kind_label": req.get_kind_display(), "new_maturity": req.new_maturity,
        "new_term_months": req.new_term_months, "without_principal_repayment": req.without_principal_repayment,
        "reason": req.reason, "state": req.state, "state_label": req.get_state_display(),
        "requested_on": req.requested_on, "new_loan_id": req.new_loan_id,
        "actions": actions_out(EXTENSION, req, user), "steps": steps_out(req),
    }


def _view(request) -> None:
    if not request.user.has_perm("loans.view_loan"):
        raise HttpError(403, "无权查看贷款")


class ListFilters(Schema):
    state: Text(20) = ""
    open: bool = False


@router.get("", response=list[ExtensionOut])
def list_requests(request, filters: Query[ListFilters], limit: Limit = 100, offset: Offset = 0):
    """The extension/renewal requests in the caller's scope, newest first."""
    _view(request)
    if filters.state and filters.state not in dict(EXTENSION.choices()):
        raise HttpError(422, "state 无效")
    qs = selectors.extension_request_list(user=request.user, state=filters.state, open_only=filters.open)
    return [_out(r, request.user) for r in qs[offset:offset + limit]]


class RequestIn(Schema):
    loan_id: Id
    kind: Literal["extension", "renewal"]
    new_maturity: Day | None = None
    new_term_months: int | None = None
    without_principal_repayment: bool = False
    reason: Text(500)


@router.post("", response={201: ExtensionOut, 409: dict, 422: dict})
def create_request(request, payload: RequestIn):
    """The bank, or the village clerk for the household, asks for an extension or a renewal (before maturity)."""
    _view(request)
    try:
        loan = selectors.loan_get(user=request.user, pk=payload.loan_id)
    except Loan.DoesNotExist:
        raise HttpError(404, "贷款不存在或不在您的管辖范围内") from None
    terms = payload.new_term_months
    if terms is not None and not 1 <= terms <= 360:
        raise HttpError(422, "new_term_months 须为 1–360")
    req = extension_request(loan=loan, kind=payload.kind, reason=payload.reason, actor=request.user,
                            new_maturity=payload.new_maturity, new_term_months=terms,
                            without_principal_repayment=payload.without_principal_repayment, via_api=True)
    return 201, _out(req, request.user)


@router.get("/{request_id}", response=ExtensionOut)
def get_request(request, request_id: Id):
    _view(request)
    return _out(_get(request, request_id), request.user)


def _get(request, request_id: int) -> ExtensionRequest:
    try:
        return selectors.extension_requests_visible(request.user).get(pk=request_id)
    except ExtensionRequest.DoesNotExist:
        raise HttpError(404, "申请不存在或不在您的管辖范围内") from None


class ActionIn(Schema):
    action: Literal["approve", "return", "reject", "withdraw"]
    opinion: Text(500) = ""


@router.post("/{request_id}/actions", response={200: ExtensionOut, 409: dict, 422: dict})
def take_action(request, request_id: Id, payload: ActionIn):
    """One step of the request (the kit's buttons: ``actions`` of the request)."""
    _view(request)
    req = _get(request, request_id)
    req = extension_transition(request=req, action=payload.action, actor=request.user, opinion=payload.opinion,
                               via_api=True)
    return 200, _out(ExtensionRequest.objects.select_related("loan").get(pk=req.pk), request.user)
