"""`/api/v1/projects`: the legacy 分贷统还 project register (issue #12 §10, DOMAIN §4): projects with their
account, stages, households and payouts; registering a project, adding a household by its loan, recording a
payout. Amounts are yuan strings; scoped like the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from microcredit.apps.core.api_types import Day, Id, Limit, Offset, Text, Yuan
from microcredit.apps.core.clock import business_date
from microcredit.apps.loans.selectors import loans_visible
from microcredit.apps.projects import selectors, services
from microcredit.apps.projects.models import Payout, Project
from microcredit.apps.reference.selectors import bank_list
from microcredit.domain.money import fen_to_yuan, yuan_to_fen
from microcredit.domain.projects import (
    ENTERPRISE_KINDS,
    GRADES,
    MAX_GRACE_DAYS,
    PAYOUT_GRACE_DAYS,
    is_payout_late,
)

router = Router(tags=["分贷统还项目"])


class ProjectOut(Schema):
    id: int
    number: str
    name: str
    enterprise_name: str
    enterprise_kind: str
    enterprise_kind_label: str
    region_code: str
    bank_code: str
    grade: str
    grade_label: str
    white_listed: bool
    account_number: str
    account_parties: list[str]
    agreement_on: dt.date
    households: int
    loans_amount: str


class StageOut(Schema):
    seq: int
    planned_amount: str
    released_amount: str
    released_on: dt.date | None
    progress_note: str
    has_progress_document: bool


class PayoutOut(Schema):
    id: int
    year: int
    due_on: dt.date
    minimum: str
    paid_amount: str | None
    paid_on: dt.date | None
    late: bool
    case_id: int | None


class ParticipantOut(Schema):
    household_id: int
    household_number: str
    head_name: str
    loan_number: str | None
    share: str
    payouts: list[PayoutOut]


class ProjectDetailOut(ProjectOut):
    stages: list[StageOut]
    released_total: str
    participants: list[ParticipantOut]


class PayoutIn(Schema):
    payout_id: Id
    amount: Yuan
    paid_on: Day


class ProjectIn(Schema):
    name: Text(100)
    enterprise_name: Text(100)
    enterprise_kind: Text(16)
    region_code: Text(12)
    bank_code: Text(16)
    agreement_on: Day
    grade: Text(8) = "fair"
    white_listed: bool = False
    account_number: Text(32) = ""
    party_government: Text(100) = ""
    party_bank: Text(100) = ""
    party_enterprise: Text(100) = ""
    grace_days: Annotated[int, Field(ge=0, le=MAX_GRACE_DAYS)] = PAYOUT_GRACE_DAYS
    note: Text(2000) = ""


class ParticipantIn(Schema):
    loan_number: Text(32)
    share: Yuan | None = None


def _need(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise HttpError(403, "无此权限")


def _get(request, pk: int) -> Project:
    _need(request, "projects.view_project")
    try:
        return selectors.project_get(user=request.user, pk=pk)
    except Project.DoesNotExist:
        raise HttpError(404, "项目不存在或不在管辖范围内")


def _out(p: Project) -> dict:
    return {"id": p.pk, "number": p.number, "name": p.name, "enterprise_name": p.enterprise_name,
            "enterprise_kind": p.enterprise_kind, "enterprise_kind_label": ENTERPRISE_KINDS.get(p.enterprise_kind, ""),
            "region_code": p.region_code, "bank_code": p.bank.code, "grade": p.grade,
            "grade_label": GRADES.get(p.grade, ""), "white_listed": p.white_listed, "account_number": p.account_number,
            "account_parties": [x for x in (p.party_government, p.party_bank, p.party_enterprise) if x],
            "agreement_on": p.agreement_on, "households": p.participants.count(),
            "loans_amount": fen_to_yuan(selectors.loans_amount(p))}


def _payout(x: Payout, today: dt.date, grace: int) -> dict:
    return {"id": x.pk, "year": x.year, "due_on": x.due_on, "minimum": fen_to_yuan(x.minimum),
            "paid_amount": fen_to_yuan(x.paid_amount) if x.paid_amount is not None else None, "paid_on": x.paid_on,
            "late": is_payout_late(x.due_on, x.paid_on is not None, today, grace), "case_id": x.case_id}


def _detail(p: Project) -> dict:
    today, out = business_date(), _out(p)
    stages = list(selectors.project_stages(p))
    out["stages"] = [{"seq": s.seq, "planned_amount": fen_to_yuan(s.planned_amount),
                      "released_amount": fen_to_yuan(s.released_amount), "released_on": s.released_on,
                      "progress_note": s.progress_note, "has_progress_document": bool(s.progress_document)}
                     for s in stages]
    out["released_total"] = fen_to_yuan(sum(s.released_amount for s in stages))
    out["participants"] = [
        {"household_id": m.household_id, "household_number": m.household.number, "head_name": m.household.head_name,
         "loan_number": m.loan.number if m.loan_id else None, "share": fen_to_yuan(m.share),
         "payouts": [_payout(x, today, p.grace_days) for x in m.payouts.order_by("year")]}
        for m in selectors.project_participants(p)]
    return out


@router.get("", response=list[ProjectOut], summary="分贷统还项目库（按管辖范围）")
def list_projects(request, grade: Text(8) = "", q: Text(64) = "", limit: Limit = 100, offset: Offset = 0):
    _need(request, "projects.view_project")
    if grade and grade not in GRADES:
        raise HttpError(422, "grade：请选择 good、fair 或 poor")
    return [_out(p) for p in selectors.project_list(user=request.user, grade=grade, q=q)[offset:offset + limit]]


@router.get("/{pk}", response=ProjectDetailOut, summary="项目详情：拨付阶段、参与农户、带动分红")
def get_project(request, pk: Id):
    return _detail(_get(request, pk))


@router.post("/{pk}/payouts", response={200: ProjectDetailOut, 409: dict, 422: dict}, summary="登记带动分红支付")
def record_payout(request, pk: Id, payload: PayoutIn):
    project = _get(request, pk)
    _need(request, "projects.manage_project")
    payout = Payout.objects.filter(pk=payload.payout_id, participant__project=project).first()
    if payout is None:
        raise HttpError(404, "该项目没有这笔分红")
    services.payout_record(payout=payout, amount=yuan_to_fen(payload.amount), paid_on=payload.paid_on,
                           actor=request.user)
    return 200, _detail(project)


@router.post("", response={201: ProjectDetailOut, 409: dict, 422: dict}, summary="登记分贷统还项目")
def create_project(request, payload: ProjectIn):
    _need(request, "projects.manage_project")
    bank = bank_list().filter(code=payload.bank_code).first()
    if bank is None:
        raise HttpError(422, "合作银行：没有该银行代码（bank_code）")
    project = services.project_create(
        name=payload.name, enterprise_name=payload.enterprise_name, enterprise_kind=payload.enterprise_kind,
        region_code=payload.region_code, bank=bank, agreement_on=payload.agreement_on, grade=payload.grade,
        white_listed=payload.white_listed, account_number=payload.account_number,
        party_government=payload.party_government, party_bank=payload.party_bank,
        party_enterprise=payload.party_enterprise, grace_days=payload.grace_days, note=payload.note,
        actor=request.user)
    return 201, _detail(selectors.project_get(user=request.user, pk=project.pk))


@router.post("/{pk}/participants", response={201: ProjectDetailOut, 409: dict, 422: dict},
             summary="按借据号添加参与农户（生成带动分红计划）")
def add_participant(request, pk: Id, payload: ParticipantIn):
    project = _get(request, pk)
    _need(request, "projects.manage_project")
    loan = loans_visible(user=request.user).filter(number=payload.loan_number.strip()).first()
    if loan is None:
        raise HttpError(422, "借据号：没有该笔贷款，或不在管辖范围内")
    services.participant_add(project=project, household=loan.household, loan=loan, actor=request.user,
                             share=None if payload.share is None else yuan_to_fen(payload.share))
    return 201, _detail(project)
