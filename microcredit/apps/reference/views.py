"""Pages: banks, reference rates (with history), policy eras. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render

from microcredit.apps.reference import selectors, services
from microcredit.apps.reference.forms import PolicyEraForm, RateRecordForm, RateReviseForm
from microcredit.apps.reference.models import PolicyEra, ReferenceRate

MANAGE = "core.manage_reference"


@login_required
def banks(request):
    return render(request, "reference/banks.html", {"banks": selectors.bank_list()})


@login_required
def rates(request):
    form = RateRecordForm() if request.user.has_perm(MANAGE) else None
    return render(request, "reference/rates.html", {"rows": selectors.rate_rows(), "form": form})


@login_required
@permission_required(MANAGE, raise_exception=True)
def rate_add(request):
    form = RateRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        row = services.reference_rate_record(actor=request.user, **form.cleaned_data)
        messages.success(request, f"已录入：{row}")
        return redirect("reference:rates")
    return render(request, "reference/rate_form.html", {"form": form, "title": "录入新利率"})


@login_required
@permission_required(MANAGE, raise_exception=True)
def rate_revise(request, pk: int):
    row = get_object_or_404(ReferenceRate.objects.current(), pk=pk)
    form = RateReviseForm(request.POST or None, initial={"rate": row.rate})
    if request.method == "POST" and form.is_valid():
        new = services.reference_rate_revise(
            rate_row=row, new_rate=form.cleaned_data["rate"], actor=request.user,
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, f"已修订：{new}（原值 {row.rate}% 保留为历史）")
        return redirect("reference:rates")
    return render(request, "reference/rate_form.html", {"form": form, "row": row, "title": "修订利率"})


@login_required
def eras(request):
    return render(request, "reference/eras.html", {
        "rows": selectors.policy_era_rows(), "can_manage": request.user.has_perm(MANAGE),
    })


@login_required
@permission_required(MANAGE, raise_exception=True)
def era_edit(request, pk: int):
    era = get_object_or_404(PolicyEra.objects.current(), pk=pk)
    form = PolicyEraForm(request.POST or None, instance=PolicyEra(**{
        f: getattr(era, f) for f in services.ERA_EDITABLE_FIELDS
    }))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        new = services.policy_era_revise(era=era, actor=request.user, reason=reason, **data)
        messages.success(request, f"已保存新版本：{new}")
        return redirect("reference:eras")
    return render(request, "reference/era_form.html", {"form": form, "era": era})
