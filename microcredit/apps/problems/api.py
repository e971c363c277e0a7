"""`/api/v1/problems/`: the problem ledger 问题台账 (issue #12 §6): list, open, read a case, take its
steps, attach evidence. Scoped like the pages; refusals are 409 (the workflow) or 422 (the input)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import File, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from microcredit.apps.accounts.selectors import user_list
from microcredit.apps.core.api_types import Day, Id, Limit, Offset, Text
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.workflow import actions_for
from microcredit.apps.problems import selectors, services
from microcredit.apps.problems.models import Case
from microcredit.domain.problems import OWNER_ROLES, SOURCES, is_case_overdue
from microcredit.domain.workflow import PROBLEM_CASE

router = Router(tags=["问题台账"])


class StepOut(Schema):
    action: str
    action_label: str
    from_state: str
    to_state: str
    actor: str
    actor_role: str
    on: dt.date
    opinion: str


class CaseOut(Schema):
    id: int
    number: str
    source: str
    source_label: str
    region_code: str
    title: str
    description: str
    household_id: int | None
    loan_id: int | None
    bank_code: str
    subject: str
    evidence: Any
    owner_role: str
    owner_region: str
    owner_user_id: int | None
    deadline: dt.date | None
    state: str
    state_label: str
    overdue: bool
    opened_on: dt.date
    closed_on: dt.date | None
    rectification: str
    documents: int
    found_count: int
    actions: list[str]


class CaseDetailOut(CaseOut):
    steps: list[StepOut]


class CaseFilters(Schema):
    state: Text(20) = ""
    source: Text(20) = ""
    region: Text(12) = ""
    overdue: bool = False
    q: Text(64) = ""


class CaseIn(Schema):
    source: Text(20)
    region_code: Text(12)
    title: Text(200)
    description: Text(2000) = ""
    evidence: list[dict[str, Any]] | None = None
    household_id: Id | None = None
    loan_id: Id | None = None
    bank_code: Text(16) = ""
    subject: Text(200) = ""


class ActionIn(Schema):
    action: Text(20)
    opinion: Text() = ""
    owner_role: Text(20) = ""
    owner_region: Text(12) = ""
    owner_user_id: Id | None = None
    deadline: Day | None = None
    rectification: Text(2000) = ""


def _need(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise HttpError(403, "无此权限")


def _get(request, pk: int) -> Case:
    _need(request, "problems.view_case")
    try:
        return selectors.case_get(user=request.user, pk=pk)
    except Case.DoesNotExist:
        raise HttpError(404, "问题不存在或不在管辖范围内")


def _out(request, c: Case, today: dt.date) -> dict:
    return {
        "id": c.pk, "number": c.number, "source": c.source, "source_label": SOURCES.get(c.source, ""),
        "region_code": c.region_code, "title": c.title, "description": c.description,
        "household_id": c.household_id, "loan_id": c.loan_id, "bank_code": c.bank.code if c.bank_id else "",
        "subject": c.subject, "evidence": c.evidence, "owner_role": c.owner_role, "owner_region": c.owner_region,
        "owner_user_id": c.owner_user_id, "deadline": c.deadline, "state": c.state,
        "state_label": PROBLEM_CASE.label(c.state), "overdue": is_case_overdue(c.state, c.deadline, today),
        "opened_on": c.opened_on, "closed_on": c.closed_on, "rectification": c.rectification,
        "documents": c.documents.count(), "found_count": c.found_count,
        "actions": [t.action for t in actions_for(PROBLEM_CASE, c, request.user)],
    }


def _detail(request, c: Case) -> dict:
    out = _out(request, c, business_date())
    out["steps"] = [{"action": s.action, "action_label": _action_label(s.action), "from_state": s.from_state,
                     "to_state": s.to_state, "actor": s.actor.get_full_name() or s.actor.username if s.actor else "系统",
                     "actor_role": s.actor_role, "on": s.on, "opinion": s.opinion}
                    for s in selectors.case_steps(c)]
    return out


def _action_label(action: str) -> str:
    return selectors.ACTION_LABELS.get(action, action)


@router.get("/cases", response=list[CaseOut], summary="问题列表（按管辖范围）")
def list_cases(request, filters: Query[CaseFilters], limit: Limit = 100, offset: Offset = 0):
    _need(request, "problems.view_case")
    f = filters
    if f.state and f.state != "open" and f.state not in selectors.STATE_LABELS:
        raise HttpError(422, "state：没有这个状态")
    if f.source and f.source not in SOURCES:
        raise HttpError(422, "source：没有这个问题来源")
    if f.region and not (f.region.isascii() and f.region.isdigit()):
        raise HttpError(422, "region：区划代码只能是数字")
    today = business_date()
    qs = selectors.case_list(user=request.user, state=f.state, source=f.source, region=f.region,
                             overdue_only=f.overdue, q=f.q, on=today)
    return [_out(request, c, today) for c in qs[offset:offset + limit]]


@router.post("/cases", response={201: CaseDetailOut, 409: dict, 422: dict}, summary="登记问题")
def open_case(request, payload: CaseIn):
    _need(request, "problems.open_case")
    case = services.problem_open(
        source=payload.source, region_code=payload.region_code, title=payload.title, description=payload.description,
        evidence=payload.evidence, household_id=payload.household_id, loan_id=payload.loan_id,
        bank_code=payload.bank_code, subject=payload.subject, actor=request.user)
    return 201, _detail(request, selectors.case_get(user=request.user, pk=case.pk))


@router.get("/cases/{pk}", response=CaseDetailOut, summary="问题详情（含流转记录）")
def get_case(request, pk: Id):
    return _detail(request, _get(request, pk))


@router.post("/cases/{pk}/actions", response={200: CaseDetailOut, 409: dict, 422: dict},
             summary="问题流转：assign（交办，需 owner_role、owner_region、deadline）/ rectify / verify / close（销号）/ "
                     "return / reject")
def act(request, pk: Id, payload: ActionIn):
    case = _get(request, pk)
    if payload.owner_role and payload.owner_role not in OWNER_ROLES:
        raise HttpError(422, "owner_role：请选择 village_station 或 township_station")
    owner_user = None
    if payload.owner_user_id:
        owner_user = user_list(user=request.user, active=True).filter(pk=payload.owner_user_id).first()
        if owner_user is None:
            raise HttpError(422, "owner_user_id：没有这个用户或不在管辖范围内")
    case = services.case_transition(
        case=case, action=payload.action, actor=request.user, opinion=payload.opinion, owner_role=payload.owner_role,
        owner_region=payload.owner_region, owner_user=owner_user, deadline=payload.deadline,
        rectification=payload.rectification, via_api=True)
    return 200, _detail(request, case)


@router.post("/cases/{pk}/documents", response={200: CaseDetailOut, 409: dict, 422: dict},
             summary="上传整改佐证材料（multipart，字段 file）")
def upload(request, pk: Id, file: File[UploadedFile]):
    case = _get(request, pk)
    if not any(t.action == "rectify" for t in actions_for(PROBLEM_CASE, case, request.user)) and \
            not request.user.has_perm("problems.open_case"):
        raise HttpError(403, "只有整改责任单位或立案单位可以上传材料")
    case = services.case_add_document(case=case, files=[file], actor=request.user)
    return 200, _detail(request, case)
