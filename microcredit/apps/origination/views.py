"""Pages of origination: list, new application, detail with buttons, disbursement,
contract, scoped document download. Thin: parse, call a service/selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from microcredit.apps.core.clock import business_date
from microcredit.apps.households.selectors import households_in_scope
from microcredit.apps.core.workflow import actions_for
from microcredit.apps.origination import selectors, services
from microcredit.apps.reference.selectors import era_cap_rate, era_terms
from microcredit.apps.origination.forms import ApplicationForm, DisburseForm, TransitionForm
from microcredit.apps.origination.models import ApplicationDocument, LoanApplication
from microcredit.domain.errors import DomainError
from microcredit.domain.money import fen_to_yuan
from microcredit.domain.workflow import APPLICATION, due_date, is_overdue

VIEW = "origination.view_loanapplication"


def _get(request, pk):
    try:
        return selectors.application_get(request.user, pk)
    except LoanApplication.DoesNotExist:
        raise Http404("申请不存在或不在您的管辖范围内")


@login_required
@permission_required(VIEW, raise_exception=True)
def application_list(request):
    state = request.GET.get("state", "")
    rows = selectors.application_list(request.user, state=state, q=request.GET.get("q", ""))[:200]
    return render(request, "origination/list.html", {"rows": rows, "states": APPLICATION.choices(), "state": state})


@login_required
@permission_required("origination.apply_loan", raise_exception=True)
def application_new(request, household_pk: int):
    household = get_object_or_404(households_in_scope(user=request.user), pk=household_pk)
    form = ApplicationForm(request.POST or None, request.FILES or None, household=household)
    failures = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            app = services.application_create(
                household=household, borrower=d["borrower"], bank=d["bank"], amount=form.amount_fen(),
                term_months=d["term_months"], usage_mode=d["usage_mode"], industry=d["industry"],
                purpose=d["purpose"], project_description=d["project_description"],
                partner_name=d["partner_name"], documents=form.documents(), actor=request.user,
            )
        except services.PolicyRefused as exc:
            failures = exc.failures
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已保存申请 {app.number}，请核对后提交")
            return redirect("origination:detail", pk=app.pk)
    return render(request, "origination/form.html", {"form": form, "household": household, "failures": failures})


@login_required
@permission_required(VIEW, raise_exception=True)
def application_detail(request, pk: int):
    app = _get(request, pk)
    today = business_date()
    return render(request, "origination/detail.html", {
        "app": app, "actions": actions_for(APPLICATION, app, request.user),
        "transitions": app.transitions.select_related("actor"), "documents": app.documents.all(),
        "due": due_date(APPLICATION, app.state, app.state_entered_on),
        "overdue": is_overdue(APPLICATION, app.state, app.state_entered_on, today),
        "amount_yuan": fen_to_yuan(app.amount),
    })


@login_required
@permission_required("origination.review_application", raise_exception=True)
def application_act(request, pk: int):
    app = _get(request, pk)
    form = TransitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_transition(application=app, action=form.cleaned_data["action"], actor=request.user,
                                            opinion=form.cleaned_data["opinion"])
        except services.PolicyRefused as exc:
            for f in exc.failures:
                messages.error(request, str(f))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已办理")
    return redirect("origination:detail", pk=app.pk)


@login_required
@permission_required("origination.disburse_loan", raise_exception=True)
def application_disburse(request, pk: int):
    app = _get(request, pk)
    _terms, era = era_terms(app.applied_on)
    today = business_date()
    initial = {"amount": fen_to_yuan(app.amount), "term_months": app.term_months, "disbursed_on": today,
               "method": "interest_quarterly", "annual_rate": era_cap_rate(era, today, app.term_months)}
    form = DisburseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            app = services.application_disburse(
                application=app, actor=request.user, amount=d["amount"], term_months=d["term_months"],
                annual_rate=d["annual_rate"], method=d["method"], disbursed_on=d["disbursed_on"],
                account_number=d["account_number"],
            )
        except services.PolicyRefused as exc:
            for f in exc.failures:
                form.add_error(None, str(f))
        except services.DisbursementRefused as exc:
            for e in exc.errors:
                form.add_error(e.field if e.field in form.fields else None, e.message)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已放款，借据号 {app.loan.number}")
            return redirect("origination:contract", pk=app.pk)
    return render(request, "origination/disburse.html", {"app": app, "form": form, "cap": initial["annual_rate"]})


@login_required
@permission_required(VIEW, raise_exception=True)
def contract(request, pk: int):
    app = _get(request, pk)
    if app.loan_id is None:
        raise Http404("尚未放款")
    loan = app.loan
    rows = loan.installments.filter(schedule_version=loan.schedule_version).order_by("seq")
    return render(request, "origination/contract.html", {"app": app, "loan": loan, "rows": rows})


@login_required
@permission_required(VIEW, raise_exception=True)
def document_download(request, pk: int):
    """A document of an application: the same permission and scope as viewing the application."""
    try:
        doc = selectors.document_get(request.user, pk)
    except ApplicationDocument.DoesNotExist:
        raise Http404("材料不存在或无权查看")
    return FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.original_name,
                        content_type=doc.content_type)
