"""Loan pages: list, detail (schedule with paid parts, events, state), servicing forms, receipt."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Sum
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.paging import page_of
from microcredit.apps.core.panels import loan_panels
from microcredit.apps.core.workflow import actions_for
from microcredit.apps.loans.filters import CLASS_CHOICES, DPD_BANDS, PAGE_SIZE, SORTS, loan_filters
from microcredit.apps.loans import forms, selectors
from microcredit.apps.jobs.exports import export_response
from microcredit.apps.loans import servicing as svc
from microcredit.apps.loans.extensions import extension_request, extension_transition
from microcredit.apps.loans.reclassify import classification_propose, classification_transition
from microcredit.apps.loans.models import EventKind, Loan, LoanEvent, LoanStatus
from microcredit.apps.reference.selectors import bank_list, policy_eras_current
from microcredit.apps.regions.selectors import townships_in_scope, villages_in_scope
from microcredit.batch.basis import next_due_date
from microcredit.domain.classification import CLASS_LABELS
from microcredit.domain.errors import DomainError
from microcredit.domain.monitoring import LIGHT_LABELS
from microcredit.domain.workflow import CLASSIFICATION_MOVE, EXTENSION


def _loan(request, pk) -> Loan:
    try:
        return selectors.loan_get(user=request.user, pk=pk)
    except Loan.DoesNotExist:
        raise Http404("贷款不存在或不在您的管辖范围内") from None


def _filtered(request):
    return selectors.loan_list(user=request.user, **loan_filters(request.GET))


def _sort_links(query: QueryDict, current: str) -> dict:
    """Per sortable column: the query that sorts by it (ascending, or descending when it already is) and
    the arrow shown on the current one."""
    links = {}
    for key in SORTS:
        q = query.copy()
        q["sort"] = f"-{key}" if current == key else key
        links[key] = {"query": q.urlencode(), "arrow": {key: "↑", f"-{key}": "↓"}.get(current, "")}
    return links


def _banks(user):
    """The banks to pick from: a bank user's own, everyone else's all."""
    scope = Scope.of(user)
    banks = bank_list().order_by("code")
    return banks.filter(pk=scope.bank_id) if scope.bank_id and not scope.unrestricted else banks


@login_required
@permission_required("loans.view_loan", raise_exception=True)
def loan_list(request):
    filters = loan_filters(request.GET)
    qs = selectors.loan_list(user=request.user, **filters)
    page, query = page_of(request, qs, PAGE_SIZE)
    townships = townships_in_scope(user=request.user)
    villages = villages_in_scope(user=request.user).order_by("code")
    if filters.get("township"):
        villages = villages.filter(code__startswith=filters["township"][:9])
    return render(request, "loans/list.html", {
        "page": page, "filters": request.GET, "query": query, "export_query": query,
        "total_balance": qs.aggregate(s=Sum("principal_outstanding"))["s"] or 0,
        "statuses": LoanStatus.choices, "classes": CLASS_CHOICES.items(), "lights": LIGHT_LABELS.items(),
        "bands": [(k, label) for k, (label, _lo, _hi) in DPD_BANDS.items()], "townships": townships,
        "villages": villages, "banks": _banks(request.user), "eras": policy_eras_current(),
        "sorts": _sort_links(QueryDict(query, mutable=True), filters.get("sort", "")),
    })


def export_rows(user, query):
    """The list's rows for `user` and the list's query string: the export, also run as a job as its creator."""
    return _filtered(SimpleNamespace(user=user, GET=query))  # the list's own filtering, without a request


@login_required
@permission_required("loans.view_loan", raise_exception=True)
def loan_export(request):
    """The loan list as .xlsx (same filters and scope as the list page): at once when small, else as a job."""
    return export_response(request, "loans_export")


@login_required
@permission_required("loans.view_loan", raise_exception=True)
def loan_detail(request, pk):
    loan = _loan(request, pk)
    state = selectors.loan_current_state(loan)
    day_state = getattr(loan, "day_state", None)
    return render(request, "loans/detail.html", {
        "loan": loan, "state": state, "next_due": next_due_date(state), "state_class": CLASS_LABELS[state.classification],
        "events": selectors.loan_events(loan), "day_state": day_state,
        "can_post": request.user.has_perm("loans.post_repayment") and loan.status == LoanStatus.ACTIVE,
        "can_service": request.user.has_perm("loans.service_loan"),
        "quote": selectors.settlement_quote_for(loan, business_date()) if loan.status == LoanStatus.ACTIVE else None,
        "today": business_date(),
        "direct_split": _direct_split(loan),
        "panels": loan_panels(request.user, loan),
        "class_moves": selectors.classification_moves(user=request.user, loan=loan)[:50],
        "extension_requests": selectors.extension_request_list(user=request.user, loan=loan)[:20],
        "class_proposals": selectors.class_proposals_visible(request.user).filter(loan=loan)[:20],
    })


def _direct_split(loan: Loan):
    """直接贴付 loans: per period the household's share of the interest and the subsidy share (ADR 0004)."""
    return selectors.loan_interest_split(loan)


def _action(request, pk, form_class, template, run, title):
    loan = _loan(request, pk)
    form = form_class(request.POST or None, initial={"on": business_date()})
    if request.method == "POST" and form.is_valid():
        try:
            result = run(loan, form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return result
    return render(request, template, {"loan": loan, "form": form, "title": title,
                                      "quote": selectors.settlement_quote_for(loan, business_date())
                                      if loan.status == LoanStatus.ACTIVE else None})


@login_required
@permission_required("loans.post_repayment", raise_exception=True)
def repayment_new(request, pk):
    def run(loan, d):
        event, _ = svc.repayment_post(loan=loan, amount=d["amount"], on=d["on"], actor=request.user,
                                      reference=d["reference"], channel="counter")
        messages.success(request, "还款已登记")
        return redirect("loans:receipt", pk=event.pk)
    return _action(request, pk, forms.RepaymentForm, "loans/action.html", run, "登记还款")


@login_required
@permission_required("loans.post_repayment", raise_exception=True)
def settlement_new(request, pk):
    def run(loan, d):
        event = svc.settlement_post(loan=loan, on=d["on"], actor=request.user)
        messages.success(request, "贷款已提前结清")
        return redirect("loans:receipt", pk=event.pk)
    return _action(request, pk, forms.SettlementForm, "loans/action.html", run, "提前结清")


def _request_form(request, pk, kind: str):
    """The extension/renewal request form (DOMAIN §12): the request goes through the workflow kit."""
    loan = _loan(request, pk)
    form = forms.ExtensionRequestForm(request.POST or None, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            req = extension_request(loan=loan, kind=d["kind"], reason=d["reason"], actor=request.user,
                                    new_maturity=d["new_maturity"], new_term_months=d["new_term_months"],
                                    without_principal_repayment=d["without_principal_repayment"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"申请 {req.number} 已提出，待村级意见")
            return redirect("loans:extension", pk=req.pk)
    return render(request, "loans/action.html", {"loan": loan, "form": form, "title": "申请展期或续贷", "quote": None})


@login_required
@permission_required("loans.service_loan", raise_exception=True)
def extension_new(request, pk):
    """The bank's extension request (no longer extends at once: the workflow kit, issue #12 §11)."""
    return _request_form(request, pk, "extension")


@login_required
@permission_required("loans.service_loan", raise_exception=True)
def renewal_new(request, pk):
    """The bank's renewal request (through the workflow kit)."""
    return _request_form(request, pk, "renewal")


@login_required
@permission_required("loans.view_loan", raise_exception=True)
def extension_request_new(request, pk):
    """The request from the loan page for the village clerk (on the household's behalf) or the bank."""
    kind = request.GET.get("kind", "extension")
    return _request_form(request, pk, kind if kind in ("extension", "renewal") else "extension")


@login_required
@permission_required("loans.view_loan", raise_exception=True)
def extension_list(request):
    """展期续贷申请: the requests in scope, open ones first by default."""
    state = request.GET.get("state", "")
    state = state if state in dict(EXTENSION.choices()) else ""
    qs = selectors.extension_request_list(user=request.user, state=state)
    page, query = page_of(request, qs, PAGE_SIZE)
    return render(request, "loans/extensions.html", {"page": page, "query": query, "state": state,
                                                     "states": EXTENSION.choices()})


def _post_step(request, transition) -> None:
    form = forms.StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, "意见不能超过 500 字")
        return
    try:
        transition(action=form.cleaned_data["action"], actor=request.user, opinion=form.cleaned_data["opinion"])
        messages.success(request, "已办理")
    except DomainError as exc:
        messages.error(request, exc.message)


@login_required
@permission_required("loans.view_loan", raise_exception=True)
def extension_detail(request, pk):
    req = get_object_or_404(selectors.extension_requests_visible(request.user), pk=pk)
    if request.method == "POST":
        _post_step(request, lambda **kw: extension_transition(request=req, **kw))
        return redirect("loans:extension", pk=req.pk)
    return render(request, "loans/extension.html", {
        "req": req, "actions": actions_for(EXTENSION, req, request.user), "steps": req.steps.select_related("actor"),
        "table": EXTENSION.code})


@login_required
@permission_required("loans.service_loan", raise_exception=True)
def class_propose(request, pk):
    """The bank proposes a manual class move (DOMAIN §5.4); the county office confirms it."""
    loan = _loan(request, pk)
    form = forms.ClassificationProposalForm(request.POST or None, initial={"to_class": loan.classification})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            proposal = classification_propose(loan=loan, to_class=d["to_class"], reason=d["reason"],
                                              reason_text=d["reason_text"], actor=request.user)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "分类调整已提出，待县级确认")
            return redirect("loans:class_proposal", pk=proposal.pk)
    return render(request, "loans/action.html", {"loan": loan, "form": form, "title": "五级分类人工调整", "quote": None})


@login_required
@permission_required("loans.view_loan", raise_exception=True)
def class_proposal_detail(request, pk):
    proposal = get_object_or_404(selectors.class_proposals_visible(request.user), pk=pk)
    if request.method == "POST":
        _post_step(request, lambda **kw: classification_transition(proposal=proposal, **kw))
        return redirect("loans:class_proposal", pk=proposal.pk)
    return render(request, "loans/class_proposal.html", {
        "p": proposal, "actions": actions_for(CLASSIFICATION_MOVE, proposal, request.user),
        "steps": proposal.steps.select_related("actor"), "table": CLASSIFICATION_MOVE.code})


@login_required
@permission_required("loans.service_loan", raise_exception=True)
def write_off_new(request, pk):
    def run(loan, d):
        svc.loan_write_off(loan=loan, on=d["on"], reason=d["reason"], actor=request.user)
        messages.success(request, "贷款已核销")
        return redirect("loans:detail", pk=loan.pk)
    return _action(request, pk, forms.WriteOffForm, "loans/action.html", run, "核销")


@login_required
@permission_required("loans.service_loan", raise_exception=True)
@require_POST
def event_reverse(request, pk):
    event = LoanEvent.objects.select_related("loan").filter(pk=pk).first()
    if event is None:
        raise Http404
    loan = _loan(request, event.loan_id)
    form = forms.ReversalForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写冲正原因")
    else:
        try:
            svc.event_reverse(event=event, reason=form.cleaned_data["reason"], actor=request.user)
            messages.success(request, "已冲正")
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("loans:detail", pk=loan.pk)


@login_required
@permission_required("loans.view_loan", raise_exception=True)
def receipt(request, pk):
    event = LoanEvent.objects.filter(pk=pk, kind__in=[EventKind.REPAYMENT, EventKind.SETTLEMENT]).first()
    if event is None:
        raise Http404
    loan = _loan(request, event.loan_id)
    split = _direct_split(loan)
    period = next((p for p in split or () if p["due_date"] >= event.on), None)
    return render(request, "loans/receipt.html", {"loan": loan, "event": event, "direct_period": period,
                                                  "allocation": event.data.get("allocation", {})})
