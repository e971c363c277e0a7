"""The 台账 export page (issue #13 §4): region, date and format → a background job → its progress page,
which downloads the file when it is done; the user's recent ledger exports below the form."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render

from microcredit.apps.core.clock import business_date
from microcredit.apps.jobs.selectors import jobs_for
from microcredit.apps.reference.selectors import bank_list
from microcredit.apps.regions.selectors import regions_in_scope
from microcredit.apps.reports import ledger_export
from microcredit.apps.reports.ledger_export import FORMATS, JOB_KIND, LEDGER_EXPORT_COLUMNS, PERMISSION

MAX_REGION_CHOICES = 500


def _context(user, values=None, errors=None) -> dict:
    regions = regions_in_scope(user=user, levels=("province", "city", "county", "township", "village"))
    banks = bank_list()
    if user.bank_id:
        banks = banks.filter(pk=user.bank_id)
    return {"regions": list(regions.order_by("code")[:MAX_REGION_CHOICES]), "banks": list(banks),
            "formats": FORMATS, "columns": LEDGER_EXPORT_COLUMNS, "today": business_date(),
            "values": values or {}, "errors": errors or [],
            "as_of": (values or {}).get("as_of", "")[:10] or business_date().isoformat(),
            "jobs": list(jobs_for(user).filter(kind=JOB_KIND, created_by=user)[:10])}


@permission_required(PERMISSION, raise_exception=True)
def ledger_export_page(request):
    if request.method == "POST":
        try:
            job = ledger_export.start(request.user, request.POST)
        except ledger_export.LedgerExportError as exc:
            errors = list(exc.field_errors.values()) if hasattr(exc, "field_errors") else [exc.message]
            return render(request, "reports/ledger_export.html", _context(request.user, request.POST, errors), status=422)
        return redirect("jobs:detail", job.pk)
    return render(request, "reports/ledger_export.html", _context(request.user))
