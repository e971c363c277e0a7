"""Pages of the bank data exchange (issue #13): upload a ledger and read its report, the ledger rows
and their changes, reconciliation runs, a bank's column template, the register of public employees."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.core.masking import mask_text
from microcredit.apps.core.paging import page_of
from microcredit.apps.core.params import int_param, text_param
from microcredit.apps.exchange import forms, jobs, selectors, services
from microcredit.apps.exchange.models import (
    LedgerChange,
    LedgerImport,
    LedgerLoan,
    PublicEmployee,
    ReconciliationRun,
)
from microcredit.apps.jobs.runner import enqueue, subject_region
from microcredit.apps.jobs.selectors import jobs_for
from microcredit.apps.reference.selectors import bank_list
from microcredit.domain.errors import DomainError
from microcredit.domain.ledger import FIELDS
from microcredit.domain.reconciliation import CHECKS


def _banks(user) -> list[tuple[str, str]]:
    qs = bank_list()
    if user.bank_id:
        qs = qs.filter(pk=user.bank_id)
    return [(str(b.pk), b.name) for b in qs]


def _get(qs, pk):
    try:
        return qs.get(pk=pk)
    except (LedgerLoan.DoesNotExist, LedgerImport.DoesNotExist, ReconciliationRun.DoesNotExist):
        raise Http404 from None


def _shown(request, items: list[dict], *keys: str) -> list[dict]:
    """Report rows as a person may see them: ID and phone numbers masked without core.see_identity."""
    if request.user.has_perm("core.see_identity"):
        return items
    return [{**item, **{k: mask_text(str(item.get(k, ""))) for k in keys}} for item in items]


def _home(user) -> str:
    """The region a user's on-demand reconciliation covers (their area; "" for an unrestricted user)."""
    scope = Scope.of(user)
    prefix = "" if scope.unrestricted else subject_region(list(scope.region_prefixes))
    return prefix.ljust(12, "0") if prefix else ""


def _labelled(findings: list[dict]) -> list[dict]:
    """Findings with the check's title and the bank's name (a person never sees a code)."""
    names = dict(bank_list().values_list("code", "short_name"))
    return [{**f, "label": CHECKS.get(f["check"], f["check"]), "bank_name": names.get(f["bank"]) or f["bank"]}
            for f in findings]


def _my_jobs(request, kind):
    return jobs_for(request.user).filter(kind=kind, created_by=request.user)


@login_required
@permission_required("exchange.view_ledgerloan", raise_exception=True)
def imports_page(request):
    can_import = request.user.has_perm("exchange.add_ledgerimport")
    form = forms.LedgerUploadForm(request.POST or None, request.FILES or None, banks=_banks(request.user),
                                  fixed_bank=bool(request.user.bank_id))
    status = 200
    if request.method == "POST":
        if not can_import:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            params = {"filename": PurePath(d["file"].name).name, "bank_id": int(d["bank"]) if d["bank"] else None,
                      "as_of": d["as_of"].isoformat() if d["as_of"] else "", "source": "page"}
            job = enqueue(kind=jobs.IMPORT_JOB, params=params, user=request.user, file=d["file"])
            return redirect(f"{request.path}?job={job.pk}")
        status = 400
    job_id = int_param(request.GET, "job")
    job = _my_jobs(request, jobs.IMPORT_JOB).filter(pk=job_id).first() if job_id else None
    page, query = page_of(request, selectors.import_list(user=request.user), per_page=20)
    return render(request, "exchange/imports.html", {"form": form, "job": job, "imports": page, "page": page,
                                                     "query": query, "can_import": can_import}, status=status)


@login_required
@permission_required("exchange.view_ledgerloan", raise_exception=True)
def import_status(request, pk: int):
    job = _my_jobs(request, jobs.IMPORT_JOB).filter(pk=pk).first()
    if job is None:
        raise Http404
    return render(request, "exchange/_import_status.html", {"job": job})


@login_required
@permission_required("exchange.view_ledgerloan", raise_exception=True)
def import_detail(request, pk: int):
    i = _get(selectors.import_list(user=request.user), pk)
    changes = LedgerChange.objects.filter(ledger_import=i).select_related("loan")[:200]
    findings = _labelled(i.findings[:500])
    return render(request, "exchange/import.html", {"i": i, "changes": changes,
                                                    "findings": _shown(request, findings, "detail"),
                                                    "errors": _shown(request, i.errors, "value", "message")})


@login_required
@permission_required("exchange.view_ledgerloan", raise_exception=True)
def loans_page(request):
    q, bank = text_param(request.GET, "q", max_length=40), text_param(request.GET, "bank", max_length=16)
    page, query = page_of(request, selectors.ledger_loan_list(user=request.user, bank=bank, q=q))
    return render(request, "exchange/loans.html", {"loans": page, "page": page, "query": query, "q": q, "bank": bank,
                                                   "banks": bank_list()})


@login_required
@permission_required("exchange.view_ledgerloan", raise_exception=True)
def loan_detail(request, pk: int):
    loan = _get(selectors.ledger_loan_list(user=request.user), pk)
    rows = [(f.header, getattr(loan, f.key), f.kind) for f in FIELDS]
    return render(request, "exchange/loan.html", {"loan": loan, "rows": rows,
                                                  "see_identity": request.user.has_perm("core.see_identity"),
                                                  "changes": selectors.ledger_changes(loan=loan)[:100]})


@login_required
@permission_required("exchange.view_ledgerloan", raise_exception=True)
def reconcile_page(request):
    can_run = request.user.has_perm("exchange.add_reconciliationrun")
    form = forms.ReconcileForm(request.POST or None, banks=_banks(request.user))
    if request.method == "POST":
        if not can_run:
            raise PermissionDenied
        if form.is_valid():
            bank = form.cleaned_data["bank"]
            params = {"bank_id": int(bank) if bank else None, "region_code": _home(request.user)}
            job = enqueue(kind=jobs.RECONCILE_JOB, params=params, user=request.user)
            messages.success(request, f"已开始核查（任务 #{job.pk}），完成后刷新本页查看结果")
            return redirect("exchange:reconcile")
    page, query = page_of(request, selectors.run_list(user=request.user), per_page=20)
    return render(request, "exchange/reconcile.html", {"form": form, "runs": page, "page": page, "query": query,
                                                       "can_run": can_run})


@login_required
@permission_required("exchange.view_ledgerloan", raise_exception=True)
def run_detail(request, pk: int):
    run = _get(selectors.run_list(user=request.user), pk)
    counts = [(CHECKS[k], run.counts.get(k, 0)) for k in CHECKS]
    findings = _labelled(run.findings[:500])
    return render(request, "exchange/run.html", {"run": run, "counts": counts,
                                                 "findings": _shown(request, findings, "detail")})


@login_required
@permission_required("exchange.change_columntemplate", raise_exception=True)
def template_page(request):
    banks = bank_list()
    bank_id = request.user.bank_id or int_param(request.GET, "bank")
    bank = banks.filter(pk=bank_id).first() if bank_id else None
    form = forms.TemplateForm(request.POST or None, mapping=selectors.template_for(bank) if bank else {})
    if request.method == "POST" and bank is not None and form.is_valid():
        try:
            services.template_save(bank=bank, mapping=form.cleaned_data, actor=request.user)
            messages.success(request, "列对照模板已保存")
            return redirect(f"{request.path}?bank={bank.pk}")
        except DomainError as exc:
            form.add_error(None, exc.message)
    return render(request, "exchange/template.html", {"form": form, "bank": bank, "banks": banks,
                                                      "fixed": bool(request.user.bank_id)})


@login_required
@permission_required("exchange.change_publicemployee", raise_exception=True)
def officials_page(request):
    form = forms.OfficialsForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.officials_import(filename=upload.name, data=upload.read(), actor=request.user,
                                               replace=form.cleaned_data["replace"])
            messages.success(request, f"名册已导入：{result['people']} 人；下次对账时核查")
            return redirect("exchange:officials")
        except DomainError as exc:
            form.add_error("file", exc.message)
    return render(request, "exchange/officials.html", {"form": form, "count": PublicEmployee.objects.count()})
