"""Writes of the legacy 分贷统还 project register (DOMAIN §4; issue #12 §10): register a project, its
households with their loans and shares (their payouts scheduled by the link agreement), its stages and
their release by progress, the payouts as they are paid; and the close's check that turns a late payout
into a problem case (``problems.services.problem_open`` with a dedupe key). One transaction, audited.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from microcredit.apps.accounts.scope import SYSTEM
from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.documents import document_errors
from microcredit.apps.core.workflow import actor_or_none
from microcredit.apps.loans.selectors import UsageMode
from microcredit.apps.problems.services import problem_open
from microcredit.apps.projects import selectors
from microcredit.apps.projects.models import Participant, Payout, Project, Stage
from microcredit.apps.regions.selectors import regions_in_scope
from microcredit.domain.errors import ConflictError, DomainError, FieldError
from microcredit.domain.money import fen_to_yuan
from microcredit.domain.projects import (
    ENTERPRISE_KINDS,
    GRADES,
    MAX_GRACE_DAYS,
    payout_errors,
    payout_schedule,
    stage_plan_errors,
    stage_release_errors,
)

__all__ = [
    "AUDIT_ACTIONS",
    "ProjectError",
    "late_payouts_check",
    "participant_add",
    "payout_record",
    "project_create",
    "project_grade",
    "stage_add",
    "stage_release",
]

AUDIT_ACTIONS = {
    "project_create": "登记分贷统还项目", "project_grade": "调整项目分级", "project_participant": "登记项目参与农户",
    "project_stage": "登记项目拨付计划", "project_release": "项目分期拨付", "project_payout": "登记带动分红",
    "project_payout_late": "带动分红逾期转问题",
}


class ProjectError(DomainError):
    """A project write refused because of its input (422)."""


def _refuse(errors: list[FieldError]) -> None:
    if errors:
        raise ProjectError.from_errors(errors)


@transaction.atomic
def project_create(*, name: str, enterprise_name: str, enterprise_kind: str, region_code: str, bank,
                   agreement_on: dt.date, actor, grade: str = "fair", white_listed: bool = False,
                   account_number: str = "", party_government: str = "", party_bank: str = "",
                   party_enterprise: str = "", grace_days: int = 30, note: str = "") -> Project:
    """Register a legacy project (S0 湖南: 项目库分级管理, 三方共管账户): its region must be a county, township or
    village within the actor's scope (a person; the system may use any region)."""
    errors = []
    if not name.strip() or len(name) > 100:
        errors.append(FieldError("name", "项目名称：必须填写，最多 100 字"))
    if not enterprise_name.strip() or len(enterprise_name) > 100:
        errors.append(FieldError("enterprise_name", "实施主体：必须填写，最多 100 字"))
    if enterprise_kind not in ENTERPRISE_KINDS:
        errors.append(FieldError("enterprise_kind", "主体类型：请选择企业或合作社"))
    if grade not in GRADES:
        errors.append(FieldError("grade", "分级：请选择好、中、差"))
    if not (region_code.isascii() and region_code.isdigit() and len(region_code) == 12):
        errors.append(FieldError("region_code", "所属区划：须为12位区划代码"))
    elif not regions_in_scope(user=actor if getattr(actor, "is_authenticated", False) else SYSTEM,
                              levels=("county", "township", "village")).filter(code=region_code).exists():
        errors.append(FieldError("region_code", "所属区划：没有该区划，或不在管辖范围内"))
    if account_number and not (account_number.isascii() and account_number.isdigit() and len(account_number) <= 32):
        errors.append(FieldError("account_number", "三方共管账户：只能是数字，最多 32 位"))
    for field, label, value in (("party_government", "共管方（县乡村振兴局）", party_government),
                                ("party_bank", "共管方（银行）", party_bank),
                                ("party_enterprise", "共管方（实施主体）", party_enterprise)):
        if len(value) > 100:
            errors.append(FieldError(field, f"{label}：最多 100 字"))
    if len(note) > 2000:
        errors.append(FieldError("note", "备注：最多 2000 字"))
    if agreement_on > business_date():
        errors.append(FieldError("agreement_on", "带动协议签订日：不能晚于业务日期"))
    if not 0 <= grace_days <= MAX_GRACE_DAYS:
        errors.append(FieldError("grace_days", f"分红宽限天数：0–{MAX_GRACE_DAYS}"))
    _refuse(errors)
    project = Project.objects.create(
        number="", name=name.strip(), enterprise_name=enterprise_name.strip(), enterprise_kind=enterprise_kind,
        region_code=region_code, bank=bank, grade=grade, white_listed=white_listed, account_number=account_number,
        party_government=party_government.strip(), party_bank=party_bank.strip(),
        party_enterprise=party_enterprise.strip(), agreement_on=agreement_on, grace_days=grace_days, note=note.strip())
    project.number = f"FD{region_code[:6]}{project.pk:05d}"
    project.save(update_fields=["number"])
    record_audit(actor=actor, action="project_create", obj=project, region_code=region_code,
                 after={"name": project.name, "grade": grade, "white_listed": white_listed})
    return project


@transaction.atomic
def project_grade(*, project: Project, grade: str, white_listed: bool, actor, reason: str = "") -> Project:
    """Grade the project 好/中/差 and put it on or off the white list (a recorded decision)."""
    if grade not in GRADES:
        raise ProjectError("grade", "分级：请选择好、中、差")
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = {"grade": project.grade, "white_listed": project.white_listed}
    project.grade, project.white_listed = grade, white_listed
    project.save(update_fields=["grade", "white_listed"])
    record_audit(actor=actor, action="project_grade", obj=project, region_code=project.region_code, before=before,
                 after={"grade": grade, "white_listed": white_listed}, note=reason[:500])
    return project


@transaction.atomic
def participant_add(*, project: Project, household, loan, actor, share: int | None = None) -> Participant:
    """A household joins the project with its 分贷统还 loan; its share (default: the loan's amount) sets its
    payouts under the link agreement (DOMAIN §4: ≥ 10% a year for 3 years)."""
    errors = []
    if loan.household_id != household.pk:
        errors.append(FieldError("loan", "贷款：不是该农户的贷款"))
    if loan.usage_mode != UsageMode.LEGACY_POOLED:
        errors.append(FieldError("loan", "贷款：使用方式不是“分贷统还（存量项目）”"))
    if loan.bank_id != project.bank_id:
        errors.append(FieldError("loan", "贷款：不是本项目合作银行的贷款"))
    share = loan.principal if share is None else share
    if not 0 < share <= loan.principal:
        errors.append(FieldError("share", "贷款份额：须大于 0 且不超过该户贷款金额"))
    if Participant.objects.filter(project=project, household=household).exists():
        errors.append(FieldError("household", "该农户已在本项目中"))
    elif Participant.objects.filter(loan=loan).exists():
        errors.append(FieldError("loan", "该笔贷款已登记在一个项目中"))
    _refuse(errors)
    participant = Participant.objects.create(project=project, household=household, loan=loan, share=share)
    Payout.objects.bulk_create(
        Payout(participant=participant, year=d.year, due_on=d.due_on, minimum=d.minimum)
        for d in payout_schedule(share, project.agreement_on, rate_bp=project.payout_rate_bp, years=project.payout_years))
    record_audit(actor=actor, action="project_participant", obj=project, region_code=household.region_code,
                 household_id=household.pk, after={"loan": loan.number, "share": share})
    return participant


@transaction.atomic
def stage_add(*, project: Project, planned_amount: int, actor) -> Stage:
    """Plan one more stage of the release; the plan stays within the loans' amount."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    others = sum(s.planned_amount for s in project.stages.all())
    _refuse(stage_plan_errors(planned=planned_amount, planned_total_others=others,
                              loans_amount=selectors.loans_amount(project)))
    stage = Stage.objects.create(project=project, seq=project.stages.count() + 1, planned_amount=planned_amount)
    record_audit(actor=actor, action="project_stage", obj=project, region_code=project.region_code,
                 after={"seq": stage.seq, "planned_amount": planned_amount})
    return stage


@transaction.atomic
def stage_release(*, stage: Stage, amount: int, released_on: dt.date, progress_note: str, actor,
                  progress_document=None) -> Stage:
    """Release a stage from the co-managed account against the project's progress (S0 湖南: 依据项目施工进度，
    分期分批拨付): refused without progress evidence (a description and a document), above the stage's plan,
    or beyond the loans' amount in total."""
    stage = Stage.objects.select_for_update().select_related("project").get(pk=stage.pk)
    if stage.released_on is not None:
        raise ConflictError("stage", f"第 {stage.seq} 期已于 {stage.released_on.isoformat()} 拨付")
    errors = document_errors(progress_document, "progress_document") if progress_document else []
    others = sum(s.released_amount for s in stage.project.stages.exclude(pk=stage.pk))
    errors += stage_release_errors(
        amount=amount, planned=stage.planned_amount, released_total_others=others,
        loans_amount=selectors.loans_amount(stage.project), progress_note=progress_note or "",
        progress_documents=int(bool(progress_document or stage.progress_document)), released_on=released_on,
        business_day=business_date())
    _refuse(errors)
    if progress_document:
        stage.progress_document = progress_document
    stage.progress_note, stage.released_amount, stage.released_on = progress_note[:2000], amount, released_on
    stage.save()
    record_audit(actor=actor, action="project_release", obj=stage.project, region_code=stage.project.region_code,
                 after={"seq": stage.seq, "amount": amount, "on": released_on})
    return stage


@transaction.atomic
def payout_record(*, payout: Payout, amount: int, paid_on: dt.date, actor) -> Payout:
    """Record a payout to a household under the link agreement (at least its minimum)."""
    payout = Payout.objects.select_for_update().select_related("participant__project", "participant__household").get(
        pk=payout.pk)
    if payout.paid_on is not None:
        raise ConflictError("payout", f"第 {payout.year} 年分红已于 {payout.paid_on.isoformat()} 登记")
    _refuse(payout_errors(amount=amount, minimum=payout.minimum, paid_on=paid_on, business_day=business_date(),
                          agreement_start=payout.participant.project.agreement_on))
    payout.paid_amount, payout.paid_on, payout.recorded_by = amount, paid_on, actor_or_none(actor)
    payout.save(update_fields=["paid_amount", "paid_on", "recorded_by"])
    household = payout.participant.household
    record_audit(actor=actor, action="project_payout", obj=payout.participant.project, region_code=household.region_code,
                 household_id=household.pk, after={"year": payout.year, "amount": amount, "paid_on": paid_on})
    return payout


def late_payouts_check(day: dt.date) -> int:
    """After each close (``core.panels.register_after_close``): every payout late on ``day`` raises one problem
    case (dedupe key ``project-payout:<id>``, so repeated closes update it), and is marked so a case closed or
    withdrawn is not raised again. Returns how many payouts were turned into cases."""
    late = selectors.late_payouts(day)
    for payout in late:
        project, household = payout.participant.project, payout.participant.household
        case = problem_open(
            source="project", region_code=household.region_code, actor=None, on=day,
            title=f"{project.name}：{household.head_name} 第 {payout.year} 年带动分红逾期未付",
            description=(f"{project.enterprise_name} 应于 {payout.due_on.isoformat()} 向 {household.head_name} 支付"
                         f"不少于 {fen_to_yuan(payout.minimum)} 元的带动分红（宽限 {project.grace_days} 天），至 "
                         f"{day.isoformat()} 仍未登记支付。"),
            evidence=[{"项目": project.number, "农户": household.number, "年度": payout.year,
                       "应付日期": payout.due_on.isoformat(), "应付最低额（元）": fen_to_yuan(payout.minimum)}],
            household_id=household.pk, loan_id=payout.participant.loan_id, bank_code=project.bank.code,
            subject=f"{project.enterprise_name}（{project.number}）", dedupe_key=f"project-payout:{payout.pk}")
        Payout.objects.filter(pk=payout.pk).update(late_flagged_on=day, case_id=case.pk)
        record_audit(actor=None, action="project_payout_late", obj=project, region_code=household.region_code,
                     household_id=household.pk, note=f"问题 {case.number}")
    return len(late)
