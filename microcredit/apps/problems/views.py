"""Pages of the problem ledger 问题台账 (issue #12 §6): the list with its filters, a case with its
history and the buttons of its step, the form to open a case by hand."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render

from microcredit.apps.core.clock import business_date
from microcredit.apps.core.paging import page_of
from microcredit.apps.core.params import choice_param, digits_param, text_param
from microcredit.apps.core.workflow import actions_for
from microcredit.apps.problems import forms, selectors, services
from microcredit.apps.problems.models import CaseDocument
from microcredit.apps.reference.selectors import bank_list
from microcredit.apps.regions.selectors import regions_in_scope
from microcredit.domain.errors import DomainError
from microcredit.domain.problems import OWNER_ROLES, SOURCES, is_case_overdue
from microcredit.domain.workflow import PROBLEM_CASE

STATE_FILTERS = {"open": "未销号", **selectors.STATE_LABELS}


def _regions(user, levels=("county", "township", "village")):
    return [(r.code, r.name) for r in regions_in_scope(user=user, levels=levels).order_by("code")[:2000]]


@login_required
@permission_required("problems.view_case", raise_exception=True)
def case_list(request):
    today = business_date()
    state = choice_param(request.GET, "state", STATE_FILTERS) or ""
    source = choice_param(request.GET, "source", SOURCES) or ""
    region = digits_param(request.GET, "region", lengths=(6, 9, 12)) or ""
    overdue_only = request.GET.get("overdue") == "1"
    q = text_param(request.GET, "q")
    qs = selectors.case_list(user=request.user, state=state, source=source, region=region, overdue_only=overdue_only,
                             q=q, on=today)
    page, query = page_of(request, qs)
    for c in page:
        c.is_overdue = is_case_overdue(c.state, c.deadline, today)
    return render(request, "problems/cases.html", {
        "cases": page, "page": page, "query": query, "state": state, "source": source, "region": region, "q": q,
        "overdue_only": overdue_only, "states": STATE_FILTERS.items(), "sources": SOURCES.items(),
        "owner_roles": OWNER_ROLES, "can_open": request.user.has_perm("problems.open_case")})


@login_required
@permission_required("problems.open_case", raise_exception=True)
def case_new(request):
    form = forms.CaseForm(request.POST or None, regions=_regions(request.user),
                          banks=[(b.code, b.name) for b in bank_list()])
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.problem_open(source=d["source"], region_code=d["region_code"], title=d["title"],
                                         description=d["description"], subject=d["subject"], bank_code=d["bank_code"],
                                         actor=request.user)
            messages.success(request, f"问题 {case.number} 已登记")
            return redirect("problems:case", pk=case.pk)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "problems/form.html", {"form": form, "title": "登记问题"})


@login_required
@permission_required("problems.view_case", raise_exception=True)
def case_detail(request, pk):
    case = get_object_or_404(selectors.case_list(user=request.user), pk=pk)
    regions = _regions(request.user, levels=("township", "village"))
    form = forms.StepForm(request.POST or None, request.FILES or None, regions=regions)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.case_transition(
                    case=case, action=d["action"], actor=request.user, opinion=d["opinion"],
                    owner_role=d["owner_role"], owner_region=d["owner_region"], deadline=d["deadline"],
                    rectification=d["rectification"], documents=[d["document"]] if d["document"] else [])
                messages.success(request, "已办理")
                return redirect("problems:case", pk=case.pk)
            except DomainError as exc:
                messages.error(request, exc.message)
        else:
            messages.error(request, "；".join(f"{form.fields[f].label or ''}：{e}" if f in form.fields else str(e)
                                             for f, errs in form.errors.items() for e in errs))
    today = business_date()
    return render(request, "problems/case.html", {
        "case": case, "actions": actions_for(PROBLEM_CASE, case, request.user), "form": form,
        "steps": selectors.case_steps(case), "documents": selectors.case_documents(case),
        "state_label": PROBLEM_CASE.label(case.state), "source_label": SOURCES.get(case.source, ""),
        "owner_label": OWNER_ROLES.get(case.owner_role, ""), "overdue": is_case_overdue(case.state, case.deadline, today),
        "action_labels": selectors.ACTION_LABELS, "state_labels": selectors.STATE_LABELS})


@login_required
@permission_required("problems.view_case", raise_exception=True)
def case_document(request, pk):
    """One evidence file: the same permission and scope as its case."""
    doc = get_object_or_404(CaseDocument.objects.select_related("case"), pk=pk,
                            case__in=selectors.case_list(user=request.user))
    return FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.name or f"材料{doc.pk}")
