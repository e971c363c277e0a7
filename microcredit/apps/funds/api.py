"""Funds API: the lending quota of a bank (for origination systems) and fund balances; claims with each
party's share; the loans insured under a 政银保 scheme (the insurer's, DOMAIN §7). Amounts in yuan strings."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import FileResponse
from ninja import File, Form, Query, Router, Schema, UploadedFile
from ninja.errors import HttpError

from microcredit.apps.core import idempotency
from microcredit.apps.core.api_schemas import ActionOut, StepOut, actions_out, steps_out
from microcredit.apps.core.api_types import Day, Id, Limit, Offset, Text, Year
from microcredit.apps.funds import claims as claim_svc
from microcredit.apps.funds import forms, selectors, subsidy
from microcredit.apps.funds.models import Claim, ClaimCause, ClaimEvidence, SubsidyBatch
from microcredit.apps.loans.selectors import loans_visible
from microcredit.domain.money import fen_to_yuan
from microcredit.domain.workflow import RISK_FUND_CLAIM, SUBSIDY_BATCH

router = Router(tags=["资金"])


class AccountOut(Schema):
    id: int
    name: str
    county_code: str
    bank: str
    balance: str
    quota: str
    outstanding: str


@router.get("/accounts", response=list[AccountOut])
def accounts(request):
    if not request.user.has_perm("funds.view_fund"):
        raise HttpError(403, "无权查看风险补偿金")
    return [{"id": f.account.pk, "name": f.account.name, "county_code": f.account.county_code,
             "bank": f.account.bank.code, "balance": fen_to_yuan(f.balance), "quota": fen_to_yuan(f.quota),
             "outstanding": fen_to_yuan(f.outstanding)} for f in selectors.accounts_with_figures(user=request.user)]


class ClaimFilters(Schema):
    status: Text(10) = ""
    insured: Text(1) = ""
    paid_year: Year | None = None
    recovered_year: Year | None = None


class ClaimOut(Schema):
    id: int
    number: str
    loan: str
    bank: str
    status: str
    filed_on: dt.date
    loss: str
    recovered: str
    sharing_preset: str
    shares: dict[str, str]
    insurer_share: str
    insurer_recovered: str


@router.get("/claims", response=list[ClaimOut])
def claims(request, filters: Query[ClaimFilters], limit: Limit = 100, offset: Offset = 0):
    """The claims in the caller's scope (an insurer's: the 政银保 ones), filtered as the claim list page; each
    party's share (as paid, or as the scheme would split it before payout) and the insurer's share of the
    recoveries (in ``recovered_year`` when given)."""
    if not (request.user.has_perm("funds.view_fund") or request.user.has_perm("funds.view_insured")):
        raise HttpError(403, "无权查看代偿申请")
    f = forms.claim_filters({k: "" if v is None else str(v) for k, v in filters.dict().items()})
    return [{"id": c.pk, "number": c.number, "loan": c.loan.number, "bank": c.account.bank.code, "status": c.status,
             "filed_on": c.filed_on, "loss": fen_to_yuan(c.loss), "recovered": fen_to_yuan(c.recovered),
             "sharing_preset": c.sharing_preset,
             "shares": {k: fen_to_yuan(v) for k, v in selectors.party_shares(c)},
             "insurer_share": fen_to_yuan(selectors.party_share(c)),
             "insurer_recovered": fen_to_yuan(selectors.recovered_share(c, year=f["recovered_year"]))}
            for c in selectors.claim_list(user=request.user, **f).select_related("account__bank")[offset:offset + limit]]


class InsuredLoanOut(Schema):
    id: int
    number: str
    bank: str
    region_code: str
    principal_outstanding: str
    days_past_due: int
    classification: str
    status: str
    maturity_date: dt.date


@router.get("/insured-loans", response=list[InsuredLoanOut])
def insured_loans(request, show: Text(8) = "", limit: Limit = 100, offset: Offset = 0):
    """The loans insured under a 政银保 scheme in the caller's scope, as the 承保贷款 page (``show``: active,
    overdue, npl)."""
    if not request.user.has_perm("funds.view_insured"):
        raise HttpError(403, "无权查看承保贷款")
    if show and show not in selectors.INSURED_VIEWS:
        raise HttpError(422, "show：不是可选的值")
    qs = selectors.insured_loans(user=request.user, show=show or None)
    return [{"id": x.pk, "number": x.number, "bank": x.bank.code, "region_code": x.region_code,
             "principal_outstanding": fen_to_yuan(x.principal_outstanding), "days_past_due": x.days_past_due,
             "classification": x.classification, "status": x.status, "maturity_date": x.maturity_date}
            for x in qs[offset:offset + limit]]


# ------------------------------------------------------------------ the bank's subsidy batches and claims (issue #13 §5)
# The same services as the pages (funds.views: batch_list, batch_detail, claim_new, claim_detail, claim_evidence),
# the same permissions and scope; other roles take their workflow steps through the same ``actions`` endpoints.



class BatchOut(Schema):
    id: int
    number: str
    bank: str
    county_code: str
    period: str
    period_start: dt.date
    period_end: dt.date
    mode: str
    status: str
    status_label: str
    total: str
    line_count: int
    rejection_reason: str


class BatchLineOut(Schema):
    loan_id: int
    loan_number: str
    kind: str
    seq: int
    period_start: dt.date
    due_date: dt.date
    days_in_window: int
    rate: str
    ratio: str
    amount: str
    reason: str


class BatchDetailOut(BatchOut):
    actions: list[ActionOut]
    steps: list[StepOut]
    lines: list[BatchLineOut]


def _batch_out(b: SubsidyBatch) -> dict:
    return {"id": b.pk, "number": b.number, "bank": b.bank.code, "county_code": b.county_code, "period": b.period,
            "period_start": b.period_start, "period_end": b.period_end, "mode": b.mode, "status": b.status,
            "status_label": b.get_status_display(), "total": fen_to_yuan(b.total), "line_count": b.line_count,
            "rejection_reason": b.rejection_reason}


def _batch_detail(b: SubsidyBatch, user, limit: int = 1000, offset: int = 0) -> dict:
    lines = b.lines.select_related("loan").order_by("id")[offset:offset + limit]
    return _batch_out(b) | {"actions": actions_out(SUBSIDY_BATCH, b, user), "steps": steps_out(b), "lines": [
        {"loan_id": x.loan_id, "loan_number": x.loan.number, "kind": x.kind, "seq": x.seq,
         "period_start": x.period_start, "due_date": x.due_date, "days_in_window": x.days_in_window,
         "rate": str(x.rate), "ratio": str(x.ratio), "amount": fen_to_yuan(x.amount), "reason": x.reason}
        for x in lines]}


def _need(request, perm: str, message: str) -> None:
    if not request.user.has_perm(perm):
        raise HttpError(403, message)


def _batch(request, pk: int) -> SubsidyBatch:
    _need(request, "funds.view_subsidy", "无权查看贴息")
    try:
        return selectors.batches_visible(request.user).get(pk=pk)
    except SubsidyBatch.DoesNotExist:
        raise HttpError(404, "贴息批次不存在或不在您的管辖范围内") from None


@router.get("/subsidy-batches", response=list[BatchOut], summary="贴息申报批次（按管辖范围，新的在前）")
def batches(request, limit: Limit = 100, offset: Offset = 0):
    """贴息申报批次列表：合作银行只见本行的，人民银行、县局、财政见本县的（与“贴息申报”页相同）。"""
    _need(request, "funds.view_subsidy", "无权查看贴息")
    return [_batch_out(b) for b in selectors.batches_visible(request.user)[offset:offset + limit]]


class BatchIn(Schema):
    period: Literal["month", "quarter"]
    start: Day
    mode: Literal["claim", "direct"] | None = None
    idempotency_key: Text(80) | None = None

    model_config = {"json_schema_extra": {"examples": [
        {"period": "quarter", "start": "2026-10-01", "mode": "claim", "idempotency_key": "subsidy-2026Q4"}]}}


@router.post("/subsidy-batches", response={200: BatchDetailOut, 201: BatchDetailOut, 409: dict, 422: dict},
             summary="申报贴息（生成并提交批次）")
def batch_create(request, payload: BatchIn):
    """合作银行按月或按季申报贴息（DOMAIN §6）：系统把期间内应贴、尚未申报的各期生成一个批次并提交人民银行审核，
    与“贴息申报”页的“生成申报”相同（申报即提交，状态为“银行已申报”）。

    ``start`` 为期间内任一日；``mode`` 省略时用本县本行当前的贴息方式（claim 先收后补，direct 直接贴付）。
    只有有所属银行和管辖县的合作银行用户可以申报。可带幂等键：同一银行重复提交返回第一次的批次（200）。
    """
    _need(request, "funds.draft_subsidy", "无权申报贴息")
    bank = request.user.bank
    if bank is None or not request.user.scope_regions:
        raise HttpError(403, "只有合作银行用户（有所属银行和管辖县）可以申报")
    key = idempotency.request_key(request, payload.idempotency_key)

    def run():
        b = subsidy.batch_draft(bank=bank, county_code=request.user.scope_regions[0][:6], period=payload.period,
                                start=payload.start, mode=payload.mode, actor=request.user)
        return 201, _batch_detail(b, request.user)
    return idempotency.run_once(request, schema=BatchDetailOut, key=key, run=run,
                                payload=payload.dict(exclude={"idempotency_key"}))


@router.get("/subsidy-batches/{batch_id}", response=BatchDetailOut, summary="贴息批次详情：明细、流转记录、可办理的操作")
def batch_get(request, batch_id: Id, limit: Limit = 1000, offset: Offset = 0):
    """一个批次的明细（分页：``limit``、``offset``）、当前状态、可办理的操作（``actions``）与流转记录。"""
    return _batch_detail(_batch(request, batch_id), request.user, limit, offset)


class StepIn(Schema):
    action: Text(16)
    opinion: Text(500) = ""

    model_config = {"json_schema_extra": {"examples": [{"action": "verify", "opinion": "已核对明细"},
                                                       {"action": "reject", "opinion": "第3笔逾期期间不应贴息"}]}}


@router.post("/subsidy-batches/{batch_id}/actions", response={200: BatchDetailOut, 409: dict, 422: dict},
             summary="办理贴息批次（人行审核、县级审批、财政拨付、驳回）")
def batch_act(request, batch_id: Id, payload: StepIn):
    """批次流转的一步（流程工具 ADR 0007）：可办理的操作见批次的 ``actions``；角色、状态或范围不符 409，驳回须写意见。"""
    b = subsidy.batch_transition(batch=_batch(request, batch_id), action=payload.action, actor=request.user,
                                 opinion=payload.opinion)
    return 200, _batch_detail(selectors.batches_visible(request.user).get(pk=b.pk), request.user)


class EvidenceOut(Schema):
    id: int
    description: str
    content_type: str
    size: int
    url: str


class OpinionOut(Schema):
    role: str
    agreed: bool
    actor: str
    on: dt.date | None
    opinion: str


class ClaimDetailOut(ClaimOut):
    status_label: str
    cause: str
    cause_label: str
    cause_detail: str
    collection_note: str
    days_past_due: int
    notice_start: dt.date | None
    notice_end: dt.date | None
    rejection_reason: str
    actions: list[ActionOut]
    opinions: list[OpinionOut]
    steps: list[StepOut]
    evidence: list[EvidenceOut]


def _claim(request, pk: int) -> Claim:
    if not (request.user.has_perm("funds.view_fund") or request.user.has_perm("funds.view_insured")):
        raise HttpError(403, "无权查看代偿申请")
    try:
        return selectors.claims_visible(request.user).get(pk=pk)
    except Claim.DoesNotExist:
        raise HttpError(404, "代偿申请不存在或不在您的管辖范围内") from None


def _claim_detail(c: Claim, user) -> dict:
    # One "核实同意" action, as on the page: the service records it as this role's agreement or, the third, the verification.
    actions = [a for a in actions_out(RISK_FUND_CLAIM, c, user) if a["action"] != "agree"]
    return {"id": c.pk, "number": c.number, "loan": c.loan.number, "bank": c.account.bank.code, "status": c.status,
            "status_label": c.get_status_display(), "filed_on": c.filed_on, "loss": fen_to_yuan(c.loss),
            "recovered": fen_to_yuan(c.recovered), "sharing_preset": c.sharing_preset,
            "shares": {k: fen_to_yuan(v) for k, v in selectors.party_shares(c)},
            "insurer_share": fen_to_yuan(selectors.party_share(c)),
            "insurer_recovered": fen_to_yuan(selectors.recovered_share(c, year=None)),
            "cause": c.cause, "cause_label": c.get_cause_display(), "cause_detail": c.cause_detail,
            "collection_note": c.collection_note, "days_past_due": c.days_past_due, "notice_start": c.notice_start,
            "notice_end": c.notice_end, "rejection_reason": c.rejection_reason, "actions": actions,
            "opinions": [{"role": role, "agreed": step is not None, "actor": str(step.actor) if step and step.actor_id else "",
                          "on": step.on if step else None, "opinion": step.opinion if step else ""}
                         for role, step in claim_svc.claim_opinions(c)],
            "steps": steps_out(c),
            "evidence": [{"id": e.pk, "description": e.description, "content_type": e.content_type, "size": e.size,
                          "url": f"/api/v1/funds/claims/evidence/{e.pk}"} for e in c.evidence.order_by("id")]}


class ClaimIn(Schema):
    loan_number: Text(32)
    cause: Literal[tuple(ClaimCause.values)]  # type: ignore[valid-type]
    cause_detail: Text(500) = ""
    collection_note: Text(2000)
    idempotency_key: Text(80) | None = None

    model_config = {"json_schema_extra": {"examples": [
        {"loan_number": "411224RC20240315001", "cause": "death", "cause_detail": "借款人 2026-10-02 病故",
         "collection_note": "2026-10 至 11 月三次上门催收，继承人无力偿还", "idempotency_key": "claim-411224RC20240315001"}]}}


@router.post("/claims", response={200: ClaimDetailOut, 201: ClaimDetailOut, 409: dict, 422: dict},
             summary="提交代偿申请（multipart，可附证明材料 evidence，可多个）")
def claim_create(request, payload: Form[ClaimIn], evidence: File[list[UploadedFile]] = None):
    """合作银行就本行管辖范围内的逾期贷款申请风险补偿金代偿（DOMAIN §7），与“提交代偿申请”页相同。

    ``multipart/form-data``：字段 loan_number（借据号）、cause（代偿原因）、cause_detail、collection_note（催收情况，
    必填：银行须先行催收），文件字段 ``evidence``（死亡证明、催收记录等；PDF、图片，数量与大小有上限）。不符合代偿条件时
    一次返回全部原因（422）。之后用 ``GET /funds/claims/{id}`` 跟踪公示、核实、审批与拨付。可带幂等键。
    """
    _need(request, "funds.file_claim", "无权提交代偿申请")
    files = list(evidence or [])
    loan = loans_visible(user=request.user).filter(number=payload.loan_number).first()
    if loan is None:
        raise HttpError(404, "借据号不存在或不在您的管辖范围内")
    key = idempotency.request_key(request, payload.idempotency_key)

    def run():
        c = claim_svc.claim_file(loan=loan, cause=payload.cause, cause_detail=payload.cause_detail,
                                 collection_note=payload.collection_note, actor=request.user, evidence=files)
        return 201, _claim_detail(selectors.claims_visible(request.user).get(pk=c.pk), request.user)
    return idempotency.run_once(request, schema=ClaimDetailOut, key=key, run=run,
                                payload=payload.dict(exclude={"idempotency_key"})
                                | {"evidence": [(f.name, f.size) for f in files]})


@router.get("/claims/{claim_id}", response=ClaimDetailOut, summary="代偿申请详情：状态、三方核实意见、流转记录、证明材料")
def claim_get(request, claim_id: Id):
    """跟踪一项代偿申请：状态、公示起止、县局/财政/人行的核实意见、流转记录、证明材料与分担结果（元）。"""
    return _claim_detail(_claim(request, claim_id), request.user)


@router.post("/claims/{claim_id}/actions", response={200: ClaimDetailOut, 409: dict, 422: dict},
             summary="办理代偿申请（开始公示、核实同意、退回、审批、拨付、驳回）")
def claim_act(request, claim_id: Id, payload: StepIn):
    """代偿申请流转的一步（流程工具 ADR 0007）：可办理的操作见申请的 ``actions``。县局、财政、人行各核实同意一次
    （``verify``），第三方同意时申请进入“县级已核实”；角色、状态或范围不符 409。"""
    c = claim_svc.claim_transition(claim=_claim(request, claim_id), action=payload.action, actor=request.user,
                                   opinion=payload.opinion)
    return 200, _claim_detail(selectors.claims_visible(request.user).get(pk=c.pk), request.user)


@router.get("/claims/evidence/{evidence_id}", summary="下载代偿证明材料")
def claim_evidence(request, evidence_id: Id):
    """一份证明材料的文件：与其代偿申请相同的权限与范围（否则 404）。"""
    if not (request.user.has_perm("funds.view_fund") or request.user.has_perm("funds.view_insured")):
        raise HttpError(403, "无权查看代偿申请")
    e = ClaimEvidence.objects.filter(pk=evidence_id, claim__in=selectors.claims_visible(request.user)).first()
    if e is None:
        raise HttpError(404, "材料不存在或不在您的管辖范围内")
    return FileResponse(e.file.open("rb"), as_attachment=True, filename=e.description or f"证明材料{e.pk}",
                        content_type=e.content_type)
