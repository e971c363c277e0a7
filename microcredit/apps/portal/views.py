"""The household's pages (issue #14 §2, §3): my credit, my loans, a loan, its settlement quote, my reminders,
the policy explained, apply, my applications — and the service worker that keeps the last loaded pages
for offline use. Each view takes the household from ``request.household`` (``access.household_required``),
never from the URL: a loan id that is not the household's own answers 404.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from microcredit.apps.core.clock import business_date
from microcredit.apps.loans.selectors import LoanStatus
from microcredit.apps.portal import selectors, services
from microcredit.apps.portal.access import household_required
from microcredit.apps.portal.forms import ApplyForm
from microcredit.domain.errors import DomainError
from microcredit.domain.workflow import ACTION_LABELS, APPLICATION

SW_PATH = Path(__file__).parent / "static" / "portal" / "sw.js"
REMINDERS_SHOWN = 100
APPLICATIONS_SHOWN = 50


def _loan(request, pk: int):
    loan = selectors.household_loans(request.household).filter(pk=pk).first()
    if loan is None:  # another household's loan, or none: the same answer
        raise Http404(_("没有这笔贷款"))
    return loan


@household_required
def home(request):
    today = business_date()
    loans = [selectors.loan_view(loan, today) for loan in selectors.household_loans(request.household)[:5]]
    return render(request, "portal/home.html", {
        "household": request.household, "credit": selectors.credit_view(request.household, today), "today": today,
        "active": [v for v in loans if v.next_due or v.overdue_amount],
    })


@household_required
def loans(request):
    today = business_date()
    views = [selectors.loan_view(loan, today) for loan in selectors.household_loans(request.household)[:20]]
    return render(request, "portal/loans.html", {"views": views, "today": today})


@household_required
def loan(request, pk: int):
    today = business_date()
    view = selectors.loan_view(_loan(request, pk), today, with_rows=True)
    return render(request, "portal/loan.html", {"v": view, "today": today,
                                                "policy": selectors.policy_view(request.household, today)})


@household_required
def quote(request, pk: int):
    today = business_date()
    loan = _loan(request, pk)
    active = loan.status == LoanStatus.ACTIVE
    return render(request, "portal/quote.html", {
        "loan": loan, "today": today, "quote": selectors.loan_quote(loan, today) if active else None})


@household_required
def reminders(request):
    rows = selectors.household_reminders(request.household)[:REMINDERS_SHOWN]
    return render(request, "portal/reminders.html", {"rows": rows})


@household_required
def policy(request):
    today = business_date()
    return render(request, "portal/policy.html", {"p": selectors.policy_view(request.household, today),
                                                  "household": request.household, "today": today,
                                                  "credit": selectors.credit_view(request.household, today)})


@household_required
def apply(request):
    household = request.household
    banks = selectors.county_banks(household)
    form = ApplyForm(request.POST or None, household=household, banks=banks)
    failures = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                app = services.household_apply(
                    user=request.user, household=household, borrower=d["borrower"], bank=d["bank"], banks=banks,
                    amount=d["amount"], term_months=d["term_months"], industry=d["industry"], purpose=d["purpose"],
                    project_description=d["project_description"])
            except services.PolicyRefused as exc:
                failures = exc.failures
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("申请已提交到村金融服务室（编号 %(number)s），请等待村初审。") % {"number": app.number})
                return redirect("portal:applications")
        status = 422
    return render(request, "portal/apply.html", {"form": form, "failures": failures, "household": household},
                  status=status)


@household_required
def applications(request):
    rows = []
    for app in selectors.household_applications(request.household)[:APPLICATIONS_SHOWN]:
        steps = [{"label": APPLICATION.label(t.to_state), "action": ACTION_LABELS.get(t.action, ""),
                  "on": t.on, "opinion": t.opinion} for t in app.transitions.all()]
        rows.append({"app": app, "state_label": APPLICATION.label(app.state), "steps": steps})
    return render(request, "portal/applications.html", {"rows": rows})


@require_GET
def service_worker(request):
    """The portal's service worker, served from /portal/ so that its scope is the portal."""
    response = HttpResponse(SW_PATH.read_bytes(), content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/portal/"
    response["Cache-Control"] = "no-cache"
    return response
