"""The batch repayment page: upload a bank's file of payments, see what was posted or why not."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from microcredit.apps.core.forms import TableFileField
from microcredit.apps.loans.repayment_import import (
    COLUMNS, LIMITS, RepaymentImportError, parse_repayments, repayments_import,
)


class RepaymentFileForm(forms.Form):
    file = TableFileField(label="还款文件（CSV、Excel 或 ODS，不超过 20 MB）", limits=LIMITS)


@login_required
@permission_required("loans.post_repayment", raise_exception=True)
def repayments_import_page(request):
    form = RepaymentFileForm(request.POST or None, request.FILES or None)
    errors, error_count, result, status = [], 0, None, 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = parse_repayments(filename=upload.name, data=upload.read(), user=request.user)
                result = repayments_import(rows=rows, actor=request.user)
                messages.success(request, f"已入账 {result.posted} 笔，已入账过（跳过） {result.already_posted} 笔")
            except RepaymentImportError as exc:
                errors, error_count, status = exc.errors, exc.total, 422
        else:
            status = 413 if "file" in request.FILES and request.FILES["file"].size > LIMITS.max_bytes else 400
    return render(request, "loans/repayments_import.html",
                  {"form": form, "errors": errors, "error_count": error_count, "result": result, "columns": COLUMNS}, status=status)
