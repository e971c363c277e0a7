"""The lending-target page 年度放贷目标 (``monitoring:targets``, issue #12 item 8): a year's target for the
county, each of its townships and each bank, set by the county office (perm ``monitoring.set_target``); the
ranking 周点评/月通报 shows 累计新增 against them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from microcredit.apps.core.clock import business_date
from microcredit.apps.core.forms import YuanField
from microcredit.apps.monitoring import targets
from microcredit.apps.monitoring.services import TargetError, targets_set

YEARS_SHOWN = 5  # the year selector: two years back, this year, two ahead


class TargetsForm(forms.Form):
    """One optional amount (yuan) per row; an empty box removes the target."""

    def __init__(self, *args, head, townships, banks, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows = []
        for prefix, row, label in ([("county", head, _("全县"))] + [("t", r, r.name) for r in townships]
                                   + [("b", r, r.name) for r in banks]):
            name = "total" if prefix == "county" else f"{prefix}_{row.key}"
            self.fields[name] = YuanField(label=label, required=False, min_fen=0, initial=row.amount)
            self.rows.append((prefix, row, name))

    def bound_rows(self, prefix: str):
        return [(row, self[name]) for p, row, name in self.rows if p == prefix]


@login_required
@permission_required("monitoring.set_target", raise_exception=True)
def targets_page(request):
    today = business_date()
    source = request.POST if request.method == "POST" else request.GET
    year = targets.parse_year(source.get("year"), today.year)
    try:
        county = targets.county_of(request.user, source.get("county"))
    except targets.NoCounty:
        raise Http404("没有该县，或不在您的权限范围内") from None
    head, townships, banks = targets.table(year=year, county_code=county[0], county_name=county[1])
    form = TargetsForm(request.POST or None, head=head, townships=townships, banks=banks)
    status = 200
    if request.method == "POST" and not form.is_valid():
        status = 400
    elif request.method == "POST":
        regions = {county[0]: form.cleaned_data["total"]}
        regions.update({r.key: form.cleaned_data[f"t_{r.key}"] for r in townships})
        bank_amounts = {int(r.key): form.cleaned_data[f"b_{r.key}"] for r in banks}
        try:
            changed = targets_set(actor=request.user, year=year, county_code=county[0], regions=regions,
                                  banks=bank_amounts)
        except TargetError as exc:
            status = 400
            for e in exc.errors:
                messages.error(request, e["message"])
        else:
            messages.success(request, _("已保存 %(year)s 年度放贷目标（修改 %(n)s 项）") % {"year": year, "n": changed})
            return redirect(f"{reverse('monitoring:targets')}?year={year}&county={county[0]}")
    return render(request, "monitoring/targets.html", {
        "form": form, "year": year, "county": county, "counties": targets.county_choices(request.user),
        "years": list(range(today.year - 2, today.year + YEARS_SHOWN - 2)),
        "county_row": form.bound_rows("county"), "township_rows": form.bound_rows("t"),
        "bank_rows": form.bound_rows("b"),
    }, status=status)
