"""Loans API for banks' systems: read loans, post repayments with an idempotency key.

`POST /api/v1/loans/{id}/repayments` — body {amount: "123.45", on: "2026-11-20", reference,
idempotency_key} (or header `Idempotency-Key`). The same key twice records one payment: the
first answer is 201, a replay 200 with the same receipt.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Query, Router, Schema
from ninja.errors import HttpError

from microcredit.apps.core import idempotency
from microcredit.apps.core.api_schemas import ActionOut, StepOut, actions_out, steps_out
from microcredit.apps.core.api_types import Day, Id, Limit, Offset, Text, Yuan
from microcredit.apps.core.clock import business_date
from microcredit.apps.loans import selectors
from microcredit.apps.loans.reclassify import classification_propose, classification_transition
from microcredit.apps.loans.filters import loan_filters
from microcredit.apps.loans import servicing as svc
from microcredit.apps.loans.models import ClassificationProposal, Loan, LoanEvent
from microcredit.domain.errors import DomainError
from microcredit.domain.classification import CLASSES, MANUAL_REASONS
from microcredit.domain.money import fen_to_yuan, yuan_to_fen
from microcredit.domain.workflow import CLASSIFICATION_MOVE

router = Router(tags=["贷款"])


class LoanOut(Schema):
    id: int
    number: str
    bank: str
    region_code: str
    principal: str
    principal_outstanding: str
    overdue_principal: str
    overdue_interest: str
    penalty_owed: str
    advance: str
    days_past_due: int
    classification: str
    status: str
    disbursed_on: dt.date
    maturity_date: dt.date
    next_due_date: dt.date | None
    state_as_of: dt.date | None


def _loan_out(loan: Loan) -> dict:
    return {
        "id": loan.pk, "number": loan.number, "bank": loan.bank.code, "region_code": loan.region_code,
        "principal": fen_to_yuan(loan.principal), "principal_outstanding": fen_to_yuan(loan.principal_outstanding),
        "overdue_principal": fen_to_yuan(loan.overdue_principal), "overdue_interest": fen_to_yuan(loan.overdue_interest),
        "penalty_owed": fen_to_yuan(loan.penalty_owed), "advance": fen_to_yuan(loan.advance),
        "days_past_due": loan.days_past_due, "classification": loan.classification, "status": loan.status,
        "disbursed_on": loan.disbursed_on, "maturity_date": loan.maturity_date, "next_due_date": loan.next_due_date,
        "state_as_of": loan.state_as_of,
    }


class RepaymentIn(Schema):
    amount: Yuan
    on: Day
    reference: Text(64) = ""
    idempotency_key: Text(80) | None = None


class Allocation(Schema):
    penalty: str
    interest: str
    principal: str
    advance: str


class ReceiptOut(Schema):
    receipt_id: int
    loan_id: int
    amount: str
    on: dt.date
    reference: str
    idempotency_key: str | None
    allocation: Allocation
    loan: LoanOut


def _get(request, loan_id: int) -> Loan:
    try:
        return selectors.loan_get(user=request.user, pk=loan_id)
    except Loan.DoesNotExist:
        raise HttpError(404, "贷款不存在或不在您的管辖范围内") from None


class LoanFilters(Schema):
    """The loan list page's filters (``loans.filters``), by the same names and values."""
    q: Text(64) = ""
    region: Text(15) = ""
    township: Text(12) = ""
    village: Text(12) = ""
    bank: Text(20) = ""
    status: Text(16) = ""
    classification: Text(16) = ""
    light: Text(8) = ""
    dpd: Text(8) = ""
    maturity: Text(7) = ""
    era: Text(16) = ""
    sort: Text(16) = ""


@router.get("/", response=list[LoanOut])
def list_loans(request, filters: Query[LoanFilters], limit: Limit = 100, offset: Offset = 0):
    """The loans in the caller's scope, filtered and sorted as on the loan list page (same parameters)."""
    if not request.user.has_perm("loans.view_loan"):
        raise HttpError(403, "无权查看贷款")
    qs = selectors.loan_list(user=request.user, **loan_filters(filters.dict()))
    return [_loan_out(x) for x in qs[offset:offset + limit]]


@router.get("/{loan_id}", response=LoanOut)
def get_loan(request, loan_id: Id):
    if not request.user.has_perm("loans.view_loan"):
        raise HttpError(403, "无权查看贷款")
    return _loan_out(_get(request, loan_id))


class SplitPeriodOut(Schema):
    seq: int
    due_date: dt.date
    interest: str
    household_share: str
    subsidy_share: str
    eligible: bool
    reason: str


class SplitOut(Schema):
    loan_id: int
    mode: str
    periods: list[SplitPeriodOut]


@router.get("/{loan_id}/subsidy-split", response=SplitOut)
def subsidy_split(request, loan_id: Id):
    """直接贴付 (ADR 0004): per period the household's share of the interest and the subsidy share the bank
    claims (``eligible``: earned, the household paid its share on time). Empty for 先收后补 loans."""
    if not request.user.has_perm("loans.view_loan"):
        raise HttpError(403, "无权查看贷款")
    loan = _get(request, loan_id)
    split = selectors.loan_interest_split(loan)
    periods = [{"seq": p["seq"], "due_date": p["due_date"], "interest": fen_to_yuan(p["interest"]),
                "household_share": fen_to_yuan(p["household_share"]), "subsidy_share": fen_to_yuan(p["subsidy_share"]),
                "eligible": p["eligible"], "reason": p["reason"]} for p in split or ()]
    return {"loan_id": loan.pk, "mode": "direct" if split is not None else "claim", "periods": periods}


@router.post("/{loan_id}/repayments", response={200: ReceiptOut, 201: ReceiptOut, 409: dict, 422: dict})
def post_repayment(request, loan_id: Id, payload: RepaymentIn):
    if not request.user.has_perm("loans.post_repayment"):
        raise HttpError(403, "无权登记还款")
    loan = _get(request, loan_id)
    key = payload.idempotency_key or request.headers.get("Idempotency-Key") or None
    if key and len(key) > 80:
        raise DomainError("idempotency_key", "幂等键不能超过 80 个字符")
    event, created = svc.repayment_post(loan=loan, amount=yuan_to_fen(payload.amount), on=payload.on,
                                        actor=request.user, idempotency_key=key, reference=payload.reference,
                                        channel="api")
    loan.refresh_from_db()
    alloc = event.data.get("allocation", {})
    return (201 if created else 200), {
        "receipt_id": event.pk, "loan_id": loan.pk, "amount": fen_to_yuan(event.amount), "on": event.on,
        "reference": event.reference, "idempotency_key": event.idempotency_key,
        "allocation": {k: fen_to_yuan(alloc.get(k, 0)) for k in ("penalty", "interest", "principal", "advance")},
        "loan": _loan_out(loan),
    }


# ------------------------------------------------------------------ the bank's servicing actions (issue #13 §5)
# Each calls the service its page calls (loans.views: settlement_new, write_off_new, event_reverse,
# class_propose, class_proposal_detail), with the page's permission and the loan's scope (404 outside it).



class EventOut(Schema):
    id: int
    loan_id: int
    kind: str
    kind_label: str
    on: dt.date
    amount: str
    reference: str
    reverses_id: int | None
    reversed: bool
    reason: str


def _event_out(e: LoanEvent) -> dict:
    return {"id": e.pk, "loan_id": e.loan_id, "kind": e.kind, "kind_label": e.get_kind_display(), "on": e.on,
            "amount": fen_to_yuan(e.amount), "reference": e.reference, "reverses_id": e.reverses_id,
            "reversed": LoanEvent.objects.filter(reverses=e).exists(), "reason": str((e.data or {}).get("reason", ""))}


class ActionResultOut(Schema):
    event: EventOut
    allocation: Allocation | None = None
    loan: LoanOut


def _result(event: LoanEvent, loan: Loan, status: int = 201) -> tuple[int, dict]:
    loan.refresh_from_db()
    alloc = (event.data or {}).get("allocation")
    return status, {"event": _event_out(event), "loan": _loan_out(loan),
                    "allocation": {k: fen_to_yuan(alloc.get(k, 0)) for k in ("penalty", "interest", "principal", "advance")}
                    if alloc else None}


@router.get("/{loan_id}/events", response=list[EventOut], summary="贷款事件（放款、还款、结清、展期、核销、冲正……）")
def loan_events(request, loan_id: Id):
    """贷款的全部事件，按业务日期排序；冲正某事件时用其 ``id``（见 ``POST /loans/events/{event_id}/reverse``）。"""
    if not request.user.has_perm("loans.view_loan"):
        raise HttpError(403, "无权查看贷款")
    return [_event_out(e) for e in selectors.loan_events(_get(request, loan_id))[:1000]]


@router.get("/{loan_id}/settlement-quote", response=dict, summary="提前结清报价（不保存）")
def settlement_quote(request, loan_id: Id, on: Day | None = None):
    """某日提前结清应付的金额（元），与贷款页“提前结清”显示的相同。"""
    if not request.user.has_perm("loans.view_loan"):
        raise HttpError(403, "无权查看贷款")
    loan = _get(request, loan_id)
    quote = selectors.settlement_quote_for(loan, on or business_date())
    return {k: fen_to_yuan(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in quote._asdict().items()}


class SettlementIn(Schema):
    on: Day
    reference: Text(64) = ""
    idempotency_key: Text(80) | None = None

    model_config = {"json_schema_extra": {"examples": [
        {"on": "2026-12-05", "reference": "CORE20261205-0001", "idempotency_key": "settle-LN0001-20261205"}]}}


@router.post("/{loan_id}/settlement", response={200: ActionResultOut, 201: ActionResultOut, 409: dict, 422: dict},
             summary="提前结清")
def post_settlement(request, loan_id: Id, payload: SettlementIn):
    """提前结清（DOMAIN §5.3）：按结清日的报价一次还清并结清贷款，与贷款页“提前结清”相同。

    需要“登记还款”权限；只能结清本行、管辖范围内的在贷贷款（否则 404）。日期不能早于放款日或晚于业务日期
    （422）。可带幂等键（请求头 ``Idempotency-Key`` 或 ``idempotency_key``）：同一银行重复提交返回第一次的结果（200）。
    """
    if not request.user.has_perm("loans.post_repayment"):
        raise HttpError(403, "无权办理提前结清")
    loan = _get(request, loan_id)
    key = idempotency.request_key(request, payload.idempotency_key)

    def run():
        event = svc.settlement_post(loan=loan, on=payload.on, actor=request.user, reference=payload.reference)
        return _result(event, loan)
    return idempotency.run_once(request, schema=ActionResultOut, key=key, run=run,
                                payload=payload.dict(exclude={"idempotency_key"}))


class WriteOffIn(Schema):
    on: Day
    reason: Text(500)
    idempotency_key: Text(80) | None = None

    model_config = {"json_schema_extra": {"examples": [
        {"on": "2026-12-05", "reason": "借款人死亡，经代偿后核销", "idempotency_key": "wo-LN0001"}]}}


@router.post("/{loan_id}/write-off", response={200: ActionResultOut, 201: ActionResultOut, 409: dict, 422: dict},
             summary="核销")
def post_write_off(request, loan_id: Id, payload: WriteOffIn):
    """核销：未还本金移出账面，贷款状态为“已核销”，事件保留（可冲正），与贷款页“核销”相同。

    需要“贷款管理”权限（合作银行）；必须填写原因（不超过 500 字）。可带幂等键。
    """
    if not request.user.has_perm("loans.service_loan"):
        raise HttpError(403, "无权核销贷款")
    loan = _get(request, loan_id)
    key = idempotency.request_key(request, payload.idempotency_key)

    def run():
        event = svc.loan_write_off(loan=loan, on=payload.on, reason=payload.reason, actor=request.user)
        return _result(event, loan)
    return idempotency.run_once(request, schema=ActionResultOut, key=key, run=run,
                                payload=payload.dict(exclude={"idempotency_key"}))


class ReversalIn(Schema):
    reason: Text(200)
    idempotency_key: Text(80) | None = None

    model_config = {"json_schema_extra": {"examples": [
        {"reason": "柜面录入金额错误", "idempotency_key": "rev-98765"}]}}


@router.post("/events/{event_id}/reverse", response={200: ActionResultOut, 201: ActionResultOut, 409: dict, 422: dict},
             summary="冲正一笔事件")
def post_reversal(request, event_id: Id, payload: ReversalIn):
    """冲正（还款、结清、展期、续贷、核销等）：记一笔冲正事件，贷款状态按原事件从未发生重算，与贷款页“冲正”相同。

    需要“贷款管理”权限；事件所属贷款须在管辖范围内（否则 404）；原因必填（不超过 200 字）；已冲正或不可冲正的
    事件 422。可带幂等键。
    """
    if not request.user.has_perm("loans.service_loan"):
        raise HttpError(403, "无权冲正")
    loan_id = LoanEvent.objects.filter(pk=event_id).values_list("loan_id", flat=True).first()
    if loan_id is None:
        raise HttpError(404, "事件不存在或不在您的管辖范围内")
    loan = _get(request, loan_id)
    key = idempotency.request_key(request, payload.idempotency_key)

    def run():
        reversal = svc.event_reverse(event=event_id, reason=payload.reason, actor=request.user)
        return _result(reversal, loan)
    return idempotency.run_once(request, schema=ActionResultOut, key=key, run=run,
                                payload=payload.dict(exclude={"idempotency_key"}) | {"event": event_id})


class ProposalOut(Schema):
    id: int
    loan_id: int
    loan_number: str
    direction: str
    from_class: str
    to_class: str
    reason: str
    reason_text: str
    state: str
    state_label: str
    proposed_on: dt.date
    actions: list[ActionOut]
    steps: list[StepOut]


def _proposal_out(p: ClassificationProposal, user) -> dict:
    return {"id": p.pk, "loan_id": p.loan_id, "loan_number": p.loan.number, "direction": p.direction,
            "from_class": p.from_class, "to_class": p.to_class, "reason": p.reason, "reason_text": p.reason_text,
            "state": p.state, "state_label": p.get_state_display(), "proposed_on": p.proposed_on,
            "actions": actions_out(CLASSIFICATION_MOVE, p, user), "steps": steps_out(p)}

class ProposalIn(Schema):
    to_class: Literal[CLASSES]  # type: ignore[valid-type]
    reason: Literal[("", *MANUAL_REASONS)] = ""  # type: ignore[valid-type]
    reason_text: Text(500) = ""
    idempotency_key: Text(80) | None = None

    model_config = {"json_schema_extra": {"examples": [
        {"to_class": "loss", "reason": "death", "reason_text": "借款人 2026-11-20 死亡，无继承人"}]}}


@router.post("/{loan_id}/classification", response={200: ProposalOut, 201: ProposalOut, 409: dict, 422: dict},
             summary="提出五级分类人工调整")
def propose_classification(request, loan_id: Id, payload: ProposalIn):
    """贷款银行提出五级分类人工调整（DOMAIN §5.4），县乡村振兴局确认后生效，与贷款页“五级分类人工调整”相同。

    下调须选原因（death 借款人死亡、disaster 重大自然灾害、fraud 欺诈骗贷、other 其他，“其他”须写说明）；
    上调须连续 3 个月正常还款。规则不符时一次返回全部原因（422）。可带幂等键。
    """
    if not request.user.has_perm("loans.service_loan"):
        raise HttpError(403, "无权提出分类调整")
    loan = _get(request, loan_id)
    key = idempotency.request_key(request, payload.idempotency_key)

    def run():
        p = classification_propose(loan=loan, to_class=payload.to_class, reason=payload.reason,
                                   reason_text=payload.reason_text, actor=request.user, via_api=True)
        return 201, _proposal_out(p, request.user)
    return idempotency.run_once(request, schema=ProposalOut, key=key, run=run,
                                payload=payload.dict(exclude={"idempotency_key"}) | {"loan": loan_id})


def _proposal(request, pk: int) -> ClassificationProposal:
    if not request.user.has_perm("loans.view_loan"):
        raise HttpError(403, "无权查看贷款")
    try:
        return selectors.class_proposals_visible(request.user).get(pk=pk)
    except ClassificationProposal.DoesNotExist:
        raise HttpError(404, "分类调整申请不存在或不在您的管辖范围内") from None


@router.get("/classification/{proposal_id}", response=ProposalOut, summary="五级分类调整申请（含流转记录）")
def get_proposal(request, proposal_id: Id):
    """一项分类调整申请、当前可办理的操作（``actions``）与流转记录。"""
    return _proposal_out(_proposal(request, proposal_id), request.user)


class ProposalActionIn(Schema):
    action: Text(16)
    opinion: Text(500) = ""

    model_config = {"json_schema_extra": {"examples": [{"action": "approve", "opinion": "经核实借款人已死亡，同意下调为损失类"}]}}


@router.post("/classification/{proposal_id}/actions", response={200: ProposalOut, 409: dict, 422: dict},
             summary="办理分类调整申请（县级确认或不同意）")
def act_proposal(request, proposal_id: Id, payload: ProposalActionIn):
    """分类调整申请的一步（流程工具 ADR 0007），可办理的操作见申请的 ``actions``；角色、状态或范围不符 409。"""
    p = _proposal(request, proposal_id)
    p = classification_transition(proposal=p, action=payload.action, actor=request.user, opinion=payload.opinion,
                                  via_api=True)
    return 200, _proposal_out(selectors.class_proposals_visible(request.user).get(pk=p.pk), request.user)
