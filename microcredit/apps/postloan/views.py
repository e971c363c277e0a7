"""Pages of post-loan management (DOMAIN §8, issue #12 §1 and §4): the open risk flags in scope (风险标识),
the set/clear actions posted from the loan and household pages, the usage checks due/overdue/done with the
form to record one (贷后检查), and a check's photo (scoped download)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from microcredit.apps.core.clock import business_date
from microcredit.apps.core.paging import page_of
from microcredit.apps.core.params import choice_param, digits_param, int_param, text_param
from microcredit.apps.postloan import selectors, services
from microcredit.apps.postloan.forms import CheckForm, FlagClearForm, FlagSetForm
from microcredit.apps.postloan.models import CheckResult, FlagKind
from microcredit.apps.regions.selectors import region_names, townships_in_scope, villages_in_scope
from microcredit.domain.errors import DomainError
from microcredit.domain.postloan import CHECK_DONE, CHECK_DUE, CHECK_OVERDUE, CHECK_STATUSES

SUBJECTS = {"loan": "贷款", "household": "农户"}
STATES = {"open": "未解除", "cleared": "已解除", "all": "全部"}


def _back(request, fallback: str):
    """Back to the page the form was on (same host only), else ``fallback``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def _region_filters(request) -> dict:
    return {"township": digits_param(request.GET, "township", lengths=(9, 12)) or "",
            "village": digits_param(request.GET, "village", lengths=(12,)) or ""}


def _places(user) -> dict:
    return {"townships": townships_in_scope(user=user), "villages": villages_in_scope(user=user)}


@login_required
@permission_required("postloan.view_check", raise_exception=True)
def flags_page(request):
    """Risk flags in scope (open by default), filtered by kind, township, village, subject, state, search."""
    filters = {"kind": choice_param(request.GET, "kind", FlagKind.values) or "",
               "subject": choice_param(request.GET, "subject", SUBJECTS) or "",
               "state": choice_param(request.GET, "state", STATES) or "open",
               "q": text_param(request.GET, "q", max_length=40), **_region_filters(request)}
    page, query = page_of(request, selectors.flag_list(user=request.user, **filters), 100)
    names = region_names([f.region_code for f in page])
    return render(request, "postloan/flags.html", {
        "page": page, "query": query, "rows": [(names.get(f.region_code, f.region_code), f) for f in page],
        "filters": filters, "kinds": FlagKind.choices, "subjects": SUBJECTS, "states": STATES,
        "can_flag": request.user.has_perm("postloan.manage_flag"), "clear_form": FlagClearForm(),
        **_places(request.user),
    })


@login_required
@permission_required("postloan.manage_flag", raise_exception=True)
@require_POST
def flag_set(request):
    """Set a flag on a loan or a household in scope (posted from their pages)."""
    form = FlagSetForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[k].label}：{' '.join(v)}" if k in form.fields else " ".join(v)
                                         for k, v in form.errors.items()))
        return _back(request, "postloan:flags")
    d = form.cleaned_data
    loan = selectors.loan_for(user=request.user, pk=d["loan"]) if d["loan"] else None
    household = selectors.household_for(user=request.user, pk=d["household"]) if d["household"] else None
    if (d["loan"] and loan is None) or (d["household"] and household is None):
        raise Http404("不在您的管辖范围内")
    try:
        flag = services.flag_set(kind=d["kind"], reason=d["reason"], actor=request.user, loan=loan, household=household)
        messages.success(request, f"已设置风险标识「{flag.get_kind_display()}」")
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(request, "postloan:flags")


@login_required
@permission_required("postloan.manage_flag", raise_exception=True)
@require_POST
def flag_clear(request, pk: int):
    flag = get_object_or_404(selectors.flags_visible(user=request.user), pk=pk)
    form = FlagClearForm(request.POST)
    if not form.is_valid():
        messages.error(request, "解除原因：" + " ".join(form.errors.get("reason", ["请填写"])))
        return _back(request, "postloan:flags")
    try:
        services.flag_clear(flag=flag, reason=form.cleaned_data["reason"], actor=request.user)
        messages.success(request, f"已解除风险标识「{flag.get_kind_display()}」")
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(request, "postloan:flags")


def _record(request):
    """POST of the check form: the form (with its errors) or None when recorded."""
    form = CheckForm(request.POST, request.FILES)
    if not request.user.has_perm("postloan.record_check"):
        raise PermissionDenied("无权登记贷后检查")
    if not form.is_valid():
        return form
    d = form.cleaned_data
    loan = selectors.loan_for(user=request.user, pk=d["loan"])
    if loan is None:
        raise Http404("贷款不存在或不在管辖范围内")
    try:
        check = services.check_record(loan=loan, passed=d["result"] == CheckResult.PASSED, finding=d["finding"],
                                      actor=request.user, checked_on=d["checked_on"], photo=d["photo"] or None,
                                      latitude=d["latitude"], longitude=d["longitude"])
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return form
    note = "，已标记风险「贷款用途核查未通过」" if check.result == CheckResult.FAILED else ""
    messages.success(request, f"已登记贷款 {loan.number} 的贷后检查{note}")
    return None


@login_required
@permission_required("postloan.view_check", raise_exception=True)
def checks_page(request):
    """Usage checks: due and overdue (computed per active loan), or done (recorded); a form to record one."""
    status = choice_param(request.GET, "status", CHECK_STATUSES) or ""
    filters = _region_filters(request)
    loan_id = int_param(request.GET, "loan")
    form = None
    if request.method == "POST":
        form = _record(request)
        if form is None:
            return redirect(request.get_full_path())
    today = business_date()
    chosen = selectors.loan_for(user=request.user, pk=loan_id) if loan_id else None
    if loan_id and chosen is None:
        raise Http404("贷款不存在或不在管辖范围内")
    can_check = request.user.has_perm("postloan.record_check")
    if form is None and chosen is not None and can_check:
        form = CheckForm(initial={"loan": chosen.pk, "checked_on": today, "result": CheckResult.PASSED})
    if status == CHECK_DONE:
        page, query = page_of(request, selectors.check_list(user=request.user, **filters), 100)
        rows = list(page)
    else:
        due = selectors.checks_due(user=request.user, on=today, status=status, **filters)
        page, query = page_of(request, due, 100)
        rows = list(page)
    names = region_names([r.region_code for r in rows])
    return render(request, "postloan/checks.html", {
        "status": status, "statuses": CHECK_STATUSES, "done": status == CHECK_DONE, "filters": filters,
        "rows": [(names.get(r.region_code, r.region_code), r) for r in rows], "page": page, "query": query,
        "form": form, "chosen": chosen, "can_check": can_check, "today": today,
        "overdue": CHECK_OVERDUE, "due": CHECK_DUE, **_places(request.user),
    })


@login_required
@permission_required("postloan.view_check", raise_exception=True)
def check_photo(request, pk: int):
    check = get_object_or_404(selectors.checks_visible(user=request.user), pk=pk)
    if not check.photo:
        raise Http404("该检查没有照片")
    return FileResponse(check.photo.open("rb"), as_attachment=False, filename=f"贷后检查{check.pk}",
                        content_type=check.photo_type or "application/octet-stream")
