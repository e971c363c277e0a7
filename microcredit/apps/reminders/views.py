"""Pages of the reminders app (issue #12 §2): the maturity list 到期提醒名单, the outbox 短信发件箱 and
the county's settings 提醒设置."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from microcredit.apps.core.clock import business_date
from microcredit.apps.core.masking import mask_phone
from microcredit.apps.core.paging import page_of
from microcredit.apps.core.params import choice_param
from microcredit.apps.jobs.exports import export_response
from microcredit.apps.regions.selectors import (
    region_names,
    townships_in_scope,
    villages_in_scope,
)
from microcredit.apps.reminders import selectors, services
from microcredit.apps.reminders.export import maturity_rows
from microcredit.apps.reminders.forms import SettingsForm
from microcredit.apps.reminders.models import ReminderStatus
from microcredit.domain import reminders as rules
from microcredit.domain.errors import DomainError


@login_required
@permission_required("reminders.view_reminder", raise_exception=True)
def maturities_page(request):
    """Unpaid principal falling due within the horizon, by township → village (DOMAIN §8)."""
    today = business_date()
    rows = maturity_rows(request.user, request.GET)
    page, query = page_of(request, rows, 100)
    names = region_names([i.loan.region_code[:9] for i in page])
    for inst in page:
        inst.township_name = names.get(inst.loan.region_code[:9], "")
        inst.principal_due = inst.principal - inst.principal_paid
    county = selectors.user_county(request.user)
    months = selectors.reminder_settings_for(county).horizon_months if county else rules.DEFAULT_HORIZON_MONTHS
    return render(request, "reminders/maturities.html", {
        "page": page, "query": query, "today": today, "until": rules.horizon_end(today, months), "months": months,
        "count": rows.count(), "region": request.GET.get("region", "")[:12],
        "townships": townships_in_scope(user=request.user),
        "villages": villages_in_scope(user=request.user).order_by("code"),
    })


@login_required
@permission_required("reminders.view_reminder", raise_exception=True)
def maturities_export(request):
    return export_response(request, "reminders_maturities")


@login_required
@permission_required("reminders.view_reminder", raise_exception=True)
def outbox_page(request):
    """The outbox: every reminder with its status; a failed SMS can be sent again (county office),
    a reminder to deliver by hand recorded as delivered (village, township)."""
    visible = selectors.reminders_visible(user=request.user)
    if request.method == "POST":
        reminder = get_object_or_404(visible, pk=_pk(request.POST.get("reminder")))
        try:
            if request.POST.get("action") == "retry":
                services.reminder_retry(actor=request.user, reminder=reminder)
                messages.success(request, _("已重新排队发送"))
            else:
                services.reminder_hand_delivered(actor=request.user, reminder=reminder,
                                                 note=request.POST.get("note", ""))
                messages.success(request, _("已登记人工送达"))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(request.get_full_path())
    status = choice_param(request.GET, "status", ReminderStatus.values)
    page, query = page_of(request, selectors.reminder_list(user=request.user, status=status), 50)
    see = request.user.has_perm("core.see_identity")
    for r in page:
        r.shown_to = r.to if see else mask_phone(r.to)
    return render(request, "reminders/outbox.html", {
        "page": page, "query": query, "status": status or "", "statuses": ReminderStatus.choices,
        "can_retry": request.user.has_perm("reminders.manage_reminder"),
        "can_deliver": request.user.has_perm("reminders.deliver_reminder"),
    })


def _pk(raw) -> int:
    text = str(raw or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else 0


@login_required
@permission_required("reminders.manage_reminder", raise_exception=True)
def settings_page(request):
    """A county's offsets, quiet hours, horizon, attempts and templates (county office, administrator)."""
    counties = selectors.counties_in_scope(user=request.user)
    codes = [c for c, _name in counties]
    source = request.POST if request.method == "POST" else request.GET
    county = choice_param(source, "county", codes) or (codes[0] if codes else None)
    if county is None:
        return render(request, "reminders/settings.html", {"form": None, "counties": counties})
    current = selectors.reminder_settings_for(county)
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                services.settings_save(actor=request.user, county_code=county, **form.cleaned_data)
                messages.success(request, _("提醒设置已保存"))
                return redirect(f"{request.path}?county={county}")
            except services.ReminderError as exc:
                for err in exc.errors:
                    form.add_error(err.field if err.field in form.fields else None, err.message)
            except DomainError as exc:
                form.add_error(None, exc.message)
    else:
        form = SettingsForm(initial={name: getattr(current, name) for name in services.SETTINGS_FIELDS})
    return render(request, "reminders/settings.html", {
        "form": form, "counties": counties, "county": county, "saved": current.pk is not None,
        "placeholders": [f"{{{p}}}" for p in rules.PLACEHOLDERS], "max_length": rules.MAX_TEMPLATE_LENGTH,
    })
