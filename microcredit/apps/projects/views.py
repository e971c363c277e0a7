"""Pages of the legacy 分贷统还 project register (issue #12 §10, DOMAIN §4): the register graded 好/中/差,
a project with its co-managed account, stages, households and payouts, and the county's forms: registering a
project, adding a household by its loan."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from microcredit.apps.core.clock import business_date
from microcredit.apps.core.paging import page_of
from microcredit.apps.core.params import choice_param, text_param
from microcredit.apps.loans.selectors import loans_visible
from microcredit.apps.projects import forms, selectors, services
from microcredit.apps.reference.selectors import bank_list
from microcredit.apps.regions.selectors import regions_in_scope
from microcredit.domain.errors import DomainError
from microcredit.domain.money import fen_to_yuan
from microcredit.domain.projects import ENTERPRISE_KINDS, GRADES, is_payout_late

WHITE = {"1": "白名单内", "0": "白名单外"}


@login_required
@permission_required("projects.view_project", raise_exception=True)
def project_list(request):
    grade = choice_param(request.GET, "grade", GRADES) or ""
    white = choice_param(request.GET, "white", WHITE)
    q = text_param(request.GET, "q")
    qs = selectors.project_list(user=request.user, grade=grade, white_listed=None if white is None else white == "1", q=q)
    page, query = page_of(request, qs)
    return render(request, "projects/list.html", {"projects": page, "page": page, "query": query, "grade": grade,
                                                  "white": white or "", "q": q, "grades": GRADES.items(),
                                                  "whites": WHITE.items(), "grade_labels": GRADES,
                                                  "can_manage": request.user.has_perm("projects.manage_project")})


@login_required
@permission_required("projects.manage_project", raise_exception=True)
def project_new(request):
    """Register a legacy project in a county or township of the user's scope."""
    regions = [(r.code, r.name) for r in regions_in_scope(user=request.user, levels=("county", "township")).order_by(
        "code")]
    banks = {str(b.pk): b for b in bank_list()}
    form = forms.ProjectForm(request.POST if request.method == "POST" else None, regions=regions,
                             banks=[(k, b.name) for k, b in banks.items()])
    created = []
    if request.method == "POST" and _act(request, form, lambda d: created.append(services.project_create(
            name=d["name"], enterprise_name=d["enterprise_name"], enterprise_kind=d["enterprise_kind"],
            region_code=d["region_code"], bank=banks[d["bank"]], agreement_on=d["agreement_on"], grade=d["grade"],
            white_listed=d["white_listed"], account_number=d["account_number"],
            party_government=d["party_government"], party_bank=d["party_bank"],
            party_enterprise=d["party_enterprise"], grace_days=d["grace_days"], note=d["note"],
            actor=request.user))):
        return redirect("projects:detail", pk=created[0].pk)
    return render(request, "projects/new.html", {"form": form})


def _act(request, form, fn) -> bool:
    """Run ``fn(cleaned_data)`` when the form is valid; a refusal goes to the form. True when done."""
    if not form.is_valid():
        return False
    try:
        fn(form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    except DomainError as exc:
        form.add_error(None, exc.message)
        return False
    messages.success(request, "已保存")
    return True


@login_required
@permission_required("projects.view_project", raise_exception=True)
def project_detail(request, pk):
    project = get_object_or_404(selectors.project_list(user=request.user), pk=pk)
    participants = list(selectors.project_participants(project))
    stages = list(selectors.project_stages(project))
    payouts = list(selectors.project_payouts(project))
    open_payouts = [(p.pk, (f"{p.participant.household.head_name} 第{p.year}年（应付 {p.due_on:%Y-%m-%d}，"
                            f"不少于 {fen_to_yuan(p.minimum)} 元）")) for p in payouts if p.paid_on is None]
    open_stages = [(s.pk, f"第 {s.seq} 期（计划 {fen_to_yuan(s.planned_amount)} 元）") for s in stages if s.released_on is None]
    can_manage = request.user.has_perm("projects.manage_project")
    post = request.POST if request.method == "POST" and can_manage else None
    which = post.get("form") if post else None
    payout_form = forms.PayoutForm(post if which == "payout" else None, payouts=open_payouts, prefix="payout")
    stage_form = forms.StageForm(post if which == "stage" else None, prefix="stage")
    release_form = forms.ReleaseForm(post if which == "release" else None, request.FILES if which == "release" else None,
                                     stages=open_stages, prefix="release")
    grade_form = forms.GradeForm(post if which == "grade" else None, prefix="grade",
                                 initial={"grade": project.grade, "white_listed": project.white_listed})
    participant_form = forms.ParticipantForm(post if which == "participant" else None, prefix="participant")
    by_pk = {p.pk: p for p in payouts}
    stage_by_pk = {s.pk: s for s in stages}
    done = (
        which == "participant" and _act(request, participant_form, lambda d: _participant_add(
            request.user, project, d["loan_number"], d["share"]))
    ) or (
        which == "payout" and _act(request, payout_form, lambda d: services.payout_record(
            payout=by_pk[int(d["payout"])], amount=d["amount"], paid_on=d["paid_on"], actor=request.user))
    ) or (
        which == "stage" and _act(request, stage_form, lambda d: services.stage_add(
            project=project, planned_amount=d["planned_amount"], actor=request.user))
    ) or (
        which == "release" and _act(request, release_form, lambda d: services.stage_release(
            stage=stage_by_pk[int(d["stage"])], amount=d["released_amount"], released_on=d["released_on"],
            progress_note=d["progress_note"], progress_document=d["progress_document"], actor=request.user))
    ) or (
        which == "grade" and _act(request, grade_form, lambda d: services.project_grade(
            project=project, grade=d["grade"], white_listed=d["white_listed"], reason=d["reason"], actor=request.user))
    )
    if done:
        return redirect("projects:detail", pk=project.pk)
    today = business_date()
    for p in payouts:
        p.is_late = is_payout_late(p.due_on, p.paid_on is not None, today, project.grace_days)
    return render(request, "projects/detail.html", {
        "project": project, "participants": participants, "stages": stages, "payouts": payouts,
        "loans_amount": selectors.loans_amount(project), "released_total": sum(s.released_amount for s in stages),
        "grade_label": GRADES.get(project.grade, ""), "kind_label": ENTERPRISE_KINDS.get(project.enterprise_kind, ""),
        "can_manage": can_manage, "payout_form": payout_form, "stage_form": stage_form, "release_form": release_form,
        "grade_form": grade_form, "participant_form": participant_form, "open_payouts": open_payouts, "open_stages": open_stages})


def _participant_add(user, project, loan_number: str, share: int | None):
    """The household of the loan numbered ``loan_number`` (one the user may see) joins ``project``."""
    loan = loans_visible(user=user).filter(number=loan_number.strip()).first()
    if loan is None:
        raise ValidationError("借据号：没有该笔贷款，或不在管辖范围内")
    return services.participant_add(project=project, household=loan.household, loan=loan, share=share, actor=user)
