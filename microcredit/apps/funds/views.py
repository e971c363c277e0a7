"""Fund pages: accounts & ledger, compensation claims, subsidy batches and the quarterly report."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render

from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.paging import page_of
from microcredit.apps.core.params import choice_param
from microcredit.apps.core.workflow import actions_for
from microcredit.apps.funds import claims as claim_svc
from microcredit.apps.funds import export, forms, ledger, selectors, subsidy
from microcredit.apps.funds.models import ClaimEvidence
from microcredit.apps.loans.selectors import loans_visible
from microcredit.domain.errors import DomainError
from microcredit.domain.postloan import CLAIM_CAUSES
from microcredit.domain.workflow import RISK_FUND_CLAIM, SUBSIDY_BATCH


@login_required
@permission_required("funds.view_fund", raise_exception=True)
def accounts(request):
    rows = [{"a": f.account, "balance": f.balance, "quota": f.quota, "outstanding": f.outstanding}
            for f in selectors.accounts_with_figures(user=request.user)]
    return render(request, "funds/accounts.html", {"rows": rows})


@login_required
@permission_required("funds.view_fund", raise_exception=True)
def account_detail(request, pk):
    account = get_object_or_404(selectors.accounts_visible(request.user), pk=pk)
    if request.method == "POST" and "subsidy_mode" in request.POST and request.user.has_perm("funds.manage_fund"):
        mode = request.POST["subsidy_mode"]
        if mode in ("claim", "direct") and mode != account.subsidy_mode:
            before, account.subsidy_mode = account.subsidy_mode, mode
            account.save(update_fields=["subsidy_mode"])
            record_audit(actor=request.user, action="fund.subsidy_mode", obj=account, before={"subsidy_mode": before},
                         after={"subsidy_mode": mode}, region_code=account.county_code)
            messages.success(request, f"贴息方式已改为{account.get_subsidy_mode_display()}：只适用于此后发放的贷款，"
                                      "已发放贷款保持放款时的贴息方式")
        return redirect("funds:account", pk=account.pk)
    form = forms.EntryForm(request.POST or None, initial={"on": business_date()})
    if request.method == "POST" and request.user.has_perm("funds.manage_fund") and form.is_valid():
        d = form.cleaned_data
        try:
            if d["kind"] in ("deposit", "top_up"):
                ledger.fund_deposit(account=account, amount=d["amount"], on=d["on"], actor=request.user,
                                    memo=d["memo"] or "县级财政存入", top_up=d["kind"] == "top_up")
            elif d["kind"] == "interest":
                ledger.fund_interest(account=account, amount=d["amount"], on=d["on"], actor=request.user)
            else:
                ledger.fund_transfer_out(account=account, amount=d["amount"], on=d["on"], actor=request.user)
            messages.success(request, "已记账")
            return redirect("funds:account", pk=account.pk)
        except DomainError as exc:
            form.add_error(None, exc.message)
    quota, outstanding = selectors.lending_quota(account.bank, account.county_code)
    entries = account.entries.prefetch_related("postings").order_by("-on", "-id")[:200]
    return render(request, "funds/account.html", {"account": account, "balances": ledger.balances(account),
                                                  "balance": ledger.balance(account), "quota": quota,
                                                  "outstanding": outstanding, "entries": entries, "form": form})


def claims_reader(view):
    """Claims are read by the fund's roles (view_fund) and by the insurer of a 政银保 scheme (view_insured)."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (request.user.has_perm("funds.view_fund") or request.user.has_perm("funds.view_insured")):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return login_required(wrapped)


def _with_insurer_share(claims, recovered_year=None):
    """Each claim with the insurer's share of its loss and of its recoveries (fen), for the insurer's columns."""
    for c in claims:
        c.insurer_share = selectors.party_share(c)
        c.insurer_recovered = selectors.recovered_share(c, year=recovered_year)
    return claims


@claims_reader
def claim_list(request):
    filters = forms.claim_filters(request.GET)
    page, query = page_of(request, selectors.claim_list(user=request.user, **filters))
    show_insurer = request.user.has_perm("funds.view_insured")
    if show_insurer:
        _with_insurer_share(page, filters["recovered_year"])
    return render(request, "funds/claims.html", {"claims": page, "page": page, "query": query, "filters": filters,
                                                 "show_insurer": show_insurer,
                                                 "can_file": request.user.has_perm("funds.file_claim")})


@login_required
@permission_required("funds.view_insured", raise_exception=True)
def insured_loans(request):
    """承保贷款: the loans of 政银保 schemes in scope (``?show=active|overdue|npl``), paginated."""
    show = choice_param(request.GET, "show", selectors.INSURED_VIEWS)
    loans = selectors.insured_loans(user=request.user, show=show)
    page, query = page_of(request, loans)
    return render(request, "funds/insured.html", {
        "loans": page, "page": page, "query": query, "show": show, "views": selectors.INSURED_VIEWS.items(),
        "balance": loans.aggregate(s=Sum("principal_outstanding"))["s"] or 0})


@login_required
@permission_required("funds.file_claim", raise_exception=True)
def claim_new(request):
    number = request.GET.get("loan", "")[:40]
    flagged = loans_visible(user=request.user).filter(number=number).values_list("risk_flag", flat=True).first()
    initial = {"loan_number": number, "cause": CLAIM_CAUSES.get(flagged or "", "")}  # collection's proposal
    form = forms.ClaimForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        loan = loans_visible(user=request.user).filter(number=d["loan_number"]).first()
        if loan is None:
            form.add_error("loan_number", "借据号不存在或不在您的管辖范围内")
        else:
            try:
                claim = claim_svc.claim_file(loan=loan, cause=d["cause"], cause_detail=d["cause_detail"],
                                             collection_note=d["collection_note"], actor=request.user,
                                             evidence=[d["evidence"]] if d["evidence"] else [])
                messages.success(request, f"代偿申请 {claim.number} 已提交")
                return redirect("funds:claim", pk=claim.pk)
            except DomainError as exc:
                form.add_error(None, exc.message)
    return render(request, "funds/form.html", {"form": form, "title": "提交代偿申请", "multipart": True})


def _post_step(request, transition) -> None:
    """One workflow step from the detail page's buttons; the outcome is a message."""
    form = forms.StepForm(request.POST)
    if not form.is_valid():
        return
    try:
        transition(action=form.cleaned_data["action"], actor=request.user, opinion=form.cleaned_data["opinion"])
        messages.success(request, "已办理")
    except DomainError as exc:
        messages.error(request, exc.message)


@claims_reader
def claim_detail(request, pk):
    claim = get_object_or_404(selectors.claims_visible(request.user), pk=pk)
    if request.method == "POST":
        _post_step(request, lambda **kw: claim_svc.claim_transition(claim=claim, **kw))
        return redirect("funds:claim", pk=claim.pk)
    show_insurer = request.user.has_perm("funds.view_insured") and "insurer" in dict(selectors.party_shares(claim))
    # One "核实同意" button: the service records it as this role's agreement or, the third, as the verification.
    actions = [t for t in actions_for(RISK_FUND_CLAIM, claim, request.user) if t.action != "agree"]
    return render(request, "funds/claim.html", {"claim": claim, "actions": actions,
                                                "opinions": claim_svc.claim_opinions(claim),
                                                "steps": claim.steps.select_related("actor"),
                                                "shares": selectors.party_shares(claim), "show_insurer": show_insurer,
                                                "recoveries": claim.recoveries.all()})


@claims_reader
def claim_evidence(request, pk):
    """One proof file of a claim: the same permission and scope as the claim itself."""
    evidence = get_object_or_404(ClaimEvidence.objects.select_related("claim"), pk=pk,
                                 claim__in=selectors.claims_visible(request.user))
    name = evidence.description or f"证明材料{evidence.pk}"
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=name,
                        content_type=evidence.content_type)


@login_required
@permission_required("funds.view_subsidy", raise_exception=True)
def batch_list(request):
    form = forms.BatchForm(request.POST or None, initial={"start": business_date(), "period": "quarter"})
    if request.method == "POST" and request.user.has_perm("funds.draft_subsidy") and form.is_valid():
        d = form.cleaned_data
        bank = request.user.bank
        if bank is None or not request.user.scope_regions:
            messages.error(request, "只有合作银行用户（有所属银行和管辖县）可以申报")
        else:
            try:
                batch = subsidy.batch_draft(bank=bank, county_code=request.user.scope_regions[0][:6], period=d["period"],
                                            start=d["start"], mode=d["mode"], actor=request.user)
                return redirect("funds:batch", pk=batch.pk)
            except DomainError as exc:
                form.add_error(None, exc.message)
    page, query = page_of(request, selectors.batches_visible(request.user))
    return render(request, "funds/batches.html", {"batches": page, "page": page, "query": query, "form": form,
                                                  "can_draft": request.user.has_perm("funds.draft_subsidy")})


@login_required
@permission_required("funds.view_subsidy", raise_exception=True)
def batch_detail(request, pk):
    batch = get_object_or_404(selectors.batches_visible(request.user), pk=pk)
    if request.method == "POST":
        _post_step(request, lambda **kw: subsidy.batch_transition(batch=batch, **kw))
        return redirect("funds:batch", pk=batch.pk)
    page, query = page_of(request, batch.lines.select_related("loan", "loan__household"), 100)
    return render(request, "funds/batch.html", {"batch": batch, "lines": page, "page": page, "query": query,
                                                "actions": actions_for(SUBSIDY_BATCH, batch, request.user),
                                                "steps": batch.steps.select_related("actor")})


@login_required
@permission_required("funds.view_subsidy", raise_exception=True)
def quarterly_report(request):
    report = _report(request)
    return render(request, "funds/report.html", {"report": report})


def _report(request) -> dict:
    today = business_date()
    try:
        year = int(request.GET.get("year") or today.year)
        quarter = int(request.GET.get("quarter") or (today.month - 1) // 3 + 1)
    except ValueError:
        year, quarter = today.year, (today.month - 1) // 3 + 1
    if not 1 <= quarter <= 4 or not 1900 <= year <= 9999:
        year, quarter = today.year, (today.month - 1) // 3 + 1
    return subsidy.quarterly_report(selectors.batches_visible(request.user), year, quarter)


@login_required
@permission_required("funds.view_subsidy", raise_exception=True)
def quarterly_report_export(request):
    """The quarterly report as .xlsx (same scope as the page), streamed from a temporary file."""
    report = _report(request)
    return FileResponse(export.write_report_xlsx(report), as_attachment=True,
                        filename=f"贴息季度报表_{report['year']}Q{report['quarter']}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
