"""Registry pages (thin: forms parse, selectors read, services write)."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from microcredit.apps.audit.selectors import describe
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.tables import DEFAULT_LIMITS, TableError, check_uploaded
from microcredit.apps.households import selectors
from microcredit.apps.households.export import write_import_template
from microcredit.apps.households.models import Household
from microcredit.apps.households.forms import (
    HouseholdFilterForm, HouseholdForm, MemberForm, RegistryImportForm, VerifyForm,
)
from microcredit.apps.households.services import household_create, household_update, member_create, member_update
from microcredit.apps.households.verification import VerifyThrottled, check_verify_rate, registry_verify
from microcredit.apps.core.panels import household_panels
from microcredit.apps.core.params import int_param
from microcredit.apps.jobs.exports import export_response
from microcredit.apps.jobs.runner import enqueue
from microcredit.apps.jobs.selectors import jobs_for
from microcredit.apps.regions.selectors import townships_in_scope, villages_in_scope
from microcredit.domain.errors import DomainError


def _see(request) -> bool:
    return request.user.has_perm("core.see_identity")


def _filter_form(user, data):
    return HouseholdFilterForm(
        data or None, townships=townships_in_scope(user=user), villages=villages_in_scope(user=user).order_by("code"),
    )


def export_rows(user, query):
    """The household list's rows for `user` and the list's query string (the export, also as a job)."""
    form = _filter_form(user, query)
    return selectors.household_list(user=user, **(form.filters() if form.is_bound else {}))


@login_required
@permission_required("core.view_registry", raise_exception=True)
def household_list(request):
    form = _filter_form(request.user, request.GET)
    filters = form.filters() if form.is_bound else {}
    page = Paginator(selectors.household_list(user=request.user, **filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "households/list.html", {
        "form": form, "page": page, "see_identity": _see(request), "query": query.urlencode(),
    })


@login_required
@permission_required("core.view_registry", raise_exception=True)
def household_export(request):
    """The filtered list as .xlsx: at once when small, else as a job (jobs.exports)."""
    return export_response(request, "households_export")


def _household(request, pk: int) -> Household:
    try:
        return selectors.household_get(user=request.user, pk=pk)
    except Household.DoesNotExist:
        raise Http404("农户不存在或不在您的管辖范围内") from None


@login_required
@permission_required("core.view_registry", raise_exception=True)
def household_detail(request, pk: int):
    household = _household(request, pk)
    see = _see(request)
    timeline = [describe(e, request.user) for e in selectors.household_timeline(household=household)[:200]]
    return render(request, "households/detail.html", {
        "household": household, "members": selectors.household_members(household=household),
        "timeline": timeline, "see_identity": see, "today": business_date(),
        "panels": household_panels(request.user, household),
    })


@login_required
@permission_required("core.edit_registry", raise_exception=True)
def household_new(request):
    villages = villages_in_scope(user=request.user).order_by("code")
    form = HouseholdForm(request.POST or None, villages=villages, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        household = household_create(actor=request.user, **data)
        messages.success(request, "已建档，请添加户主及家庭成员")
        return redirect("households:member_add", pk=household.pk)
    return render(request, "households/form.html", {"form": form, "title": "新建农户档案"})


@login_required
@permission_required("core.edit_registry", raise_exception=True)
def household_edit(request, pk: int):
    household = _household(request, pk)
    form = HouseholdForm(request.POST or None, instance=household, user=request.user)
    if request.method == "POST" and form.is_valid():
        household.refresh_from_db()
        household_update(actor=request.user, household=household, **form.changes())
        messages.success(request, "已保存")
        return redirect("households:detail", pk=pk)
    return render(request, "households/form.html", {"form": form, "title": f"修改农户信息：{household}", "household": household})


@login_required
@permission_required("core.edit_registry", raise_exception=True)
def member_edit(request, pk: int, member_pk: int | None = None):
    household = _household(request, pk)
    member = get_object_or_404(household.members, pk=member_pk) if member_pk else None
    form = MemberForm(request.POST or None, instance=member, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        if member is None:
            member_create(actor=request.user, household=household, **data)
        else:
            member.refresh_from_db()
            member_update(actor=request.user, member=member, **data)
        messages.success(request, "已保存")
        return redirect("households:detail", pk=pk)
    title = f"{'修改' if member else '添加'}家庭成员：{household}"
    return render(request, "households/form.html", {"form": form, "title": title, "household": household})


@login_required
@permission_required("core.import_registry", raise_exception=True)
def registry_import_page(request):
    form = RegistryImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:  # size and type at the edge: a refused file is never stored nor queued
            check_uploaded(upload)
        except TableError as exc:
            form.add_error("file", f"“{PurePath(upload.name).name}”未接受：{exc.message}")
            status = 413 if upload.size > DEFAULT_LIMITS.max_bytes else 400
        else:
            job = enqueue(kind="registry_import", params={"filename": PurePath(upload.name).name},
                          user=request.user, file=upload)
            return redirect(f"{request.path}?job={job.pk}")
    elif request.method == "POST":
        status = 400
    job_id = int_param(request.GET, "job")
    mine = _my_imports(request)
    job, recent = mine.filter(pk=job_id).first() if job_id else None, mine[:10]
    return render(request, "households/import.html", {"form": form, "job": job, "recent": recent}, status=status)


def _my_imports(request):
    return jobs_for(request.user).filter(kind="registry_import", created_by=request.user)


@login_required
@permission_required("core.import_registry", raise_exception=True)
def registry_import_template(request):
    return FileResponse(write_import_template(), as_attachment=True, filename="建档立卡档案导入模板.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@login_required
@permission_required("core.import_registry", raise_exception=True)
def registry_import_status(request, job_pk: int):
    job = _my_imports(request).filter(pk=job_pk).first()
    if job is None:
        raise Http404
    return render(request, "households/_import_status.html", {"job": job})


@login_required
@permission_required("core.verify_identity", raise_exception=True)
def verify(request):
    form = VerifyForm(request.POST or None)
    answer, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:  # the same throttle and rules as POST /api/v1/registry/verify
            check_verify_rate(request, form.cleaned_data["id_number"])
            answer = registry_verify(actor=request.user, id_number=form.cleaned_data["id_number"])
        except VerifyThrottled as exc:
            form.add_error(None, exc.message)
            status = 429
        except DomainError as exc:
            form.add_error("id_number", exc.message)
    return render(request, "households/verify.html", {"form": form, "answer": answer}, status=status)
