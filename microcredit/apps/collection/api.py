"""Collection API (issue #12 §3): the cases in scope, one case with its history and actions, and
recording a visit or call. Amounts are yuan strings; refusals 422 (input) or 409 (state, scope)."""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema
from ninja.errors import HttpError

from microcredit.apps.collection import selectors, services
from microcredit.apps.collection.models import Band, Case, CaseState, Channel, Result
from microcredit.apps.core import idempotency
from microcredit.apps.core.api_types import Day, Id, Limit, Offset, Text, Yuan
from microcredit.domain import collection as rules
from microcredit.domain.money import fen_to_yuan, yuan_to_fen

router = Router(tags=["催收"])


class CaseFilters(Schema):
    state: Text(16) = ""
    band: Text(10) = ""
    township: Text(12) = ""
    village: Text(12) = ""
    limit: Limit = 100
    offset: Offset = 0


class CaseOut(Schema):
    id: int
    loan_id: int
    loan_number: str
    household: str
    region_code: str
    bank: str
    state: str
    state_label: str
    band: str
    band_label: str
    days_past_due: int
    overdue_amount: str
    opened_on: dt.date
    resolved_on: dt.date | None
    promised_on: dt.date | None
    promised_amount: str | None
    last_action_on: dt.date | None
    claim_proposed: bool


class EventOut(Schema):
    on: dt.date
    kind: str
    kind_label: str
    from_state: str
    to_state: str
    from_band: str
    to_band: str
    actor: str
    note: str


class ActionOut(Schema):
    id: int
    on: dt.date
    actor: str
    channel: str
    channel_label: str
    result: str
    result_label: str
    promised_on: dt.date | None
    promised_amount: str | None
    note: str
    has_photo: bool


class CaseDetailOut(CaseOut):
    history: list[EventOut]
    actions: list[ActionOut]


class ActionIn(Schema):
    channel: Text(8)
    result: Text(12)
    on: Day | None = None
    note: Text(rules.MAX_NOTE) = ""
    promised_on: Day | None = None
    promised_amount: Yuan | None = None
    idempotency_key: Text(80) | None = None  # or the Idempotency-Key header: a retried POST records one action


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else "系统"


def _case_out(c: Case) -> dict:
    return {"id": c.pk, "loan_id": c.loan_id, "loan_number": c.loan.number, "household": c.loan.household.head_name,
            "region_code": c.region_code, "bank": c.bank.code, "state": c.state, "state_label": c.get_state_display(),
            "band": c.band, "band_label": c.get_band_display(), "days_past_due": c.days_past_due,
            "overdue_amount": fen_to_yuan(c.overdue_amount), "opened_on": c.opened_on, "resolved_on": c.resolved_on,
            "promised_on": c.promised_on,
            "promised_amount": fen_to_yuan(c.promised_amount) if c.promised_amount is not None else None,
            "last_action_on": c.last_action_on, "claim_proposed": c.claim_proposed}


def _action_out(a) -> dict:
    return {"id": a.pk, "on": a.on, "actor": _name(a.actor), "channel": a.channel, "channel_label": a.get_channel_display(),
            "result": a.result, "result_label": a.get_result_display(), "promised_on": a.promised_on,
            "promised_amount": fen_to_yuan(a.promised_amount) if a.promised_amount is not None else None,
            "note": a.note, "has_photo": bool(a.photo)}


def _detail(c: Case) -> dict:
    history = [{"on": e.on, "kind": e.kind, "kind_label": e.get_kind_display(), "from_state": e.from_state,
                "to_state": e.to_state, "from_band": e.from_band, "to_band": e.to_band, "actor": _name(e.actor),
                "note": e.note} for e in selectors.case_history(c)]
    return _case_out(c) | {"history": history, "actions": [_action_out(a) for a in selectors.case_actions(c)]}


def _need(request, perm: str, message: str) -> None:
    if not request.user.has_perm(perm):
        raise HttpError(403, message)


def _get(request, pk: int) -> Case:
    try:
        return selectors.case_get(user=request.user, pk=pk)
    except Case.DoesNotExist:
        raise HttpError(404, "催收案件不存在或不在您的管辖范围内") from None


def _choice(value: str, choices, field: str, what: str) -> str:
    if value and value not in dict(choices):
        raise services.CollectionError(field, f"不是可选的{what}")
    return value


def _digits(value: str, lengths: tuple[int, ...], field: str) -> str:
    if value and not (value.isascii() and value.isdigit() and len(value) in lengths):
        raise services.CollectionError(field, f"应为 {'/'.join(map(str, lengths))} 位数字")
    return value


@router.get("/cases", response=list[CaseOut], summary="催收案件列表（state=open 为全部未结）")
def cases(request, filters: Query[CaseFilters]):
    _need(request, "collection.view_case", "无权查看催收案件")
    state = filters.state if filters.state == "open" else _choice(filters.state, CaseState.choices, "state", "状态")
    qs = selectors.case_list(user=request.user, state=state, band=_choice(filters.band, Band.choices, "band", "层级"),
                             township=_digits(filters.township, (9, 12), "township"),
                             village=_digits(filters.village, (12,), "village")).order_by("-days_past_due", "pk")
    return [_case_out(c) for c in qs[filters.offset:filters.offset + filters.limit]]


@router.get("/cases/{case_id}", response=CaseDetailOut, summary="催收案件：经过与催收记录")
def case(request, case_id: Id):
    _need(request, "collection.view_case", "无权查看催收案件")
    return _detail(_get(request, case_id))


@router.post("/cases/{case_id}/actions", response={200: CaseDetailOut, 201: CaseDetailOut, 409: dict, 422: dict},
             summary="登记催收（上门/电话/短信/其他；承诺还款须填日期和金额）")
def record_action(request, case_id: Id, payload: ActionIn):
    """登记一次催收（与案件页相同）。可带幂等键（请求头 ``Idempotency-Key`` 或 ``idempotency_key``）：同一银行重复
    提交返回第一次的结果（200），不会重复登记。"""
    _need(request, "collection.record_action", "无权登记催收")
    c = _get(request, case_id)
    key = idempotency.request_key(request, payload.idempotency_key)

    def run():
        services.action_record(
            case=c, actor=request.user, on=payload.on,
            channel=_choice(payload.channel, Channel.choices, "channel", "催收方式"),
            result=_choice(payload.result, Result.choices, "result", "催收结果"), note=payload.note,
            promised_on=payload.promised_on,
            promised_amount=yuan_to_fen(payload.promised_amount) if payload.promised_amount is not None else None,
            via_api=True)
        return 201, _detail(selectors.case_get(user=request.user, pk=c.pk))
    return idempotency.run_once(request, schema=CaseDetailOut, key=key,
                                run=run, payload=payload.dict(exclude={"idempotency_key"}))
