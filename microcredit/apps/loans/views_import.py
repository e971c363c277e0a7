"""The batch repayment page: upload a bank's file of payments, see what was posted or why not."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from microcredit.apps.loans.repayment_import import COLUMNS, RepaymentImportError, parse_repayments, repayments_import

MAX_BYTES = 10 * 1024 * 1024


class RepaymentFileForm(forms.Form):
    file = forms.FileField(label="还款文件（CSV 或 Excel）")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("文件不能超过 10 MB")
        return upload


@login_required
@permission_required("loans.post_repayment", raise_exception=True)
def repayments_import_page(request):
    form = RepaymentFileForm(request.POST or None, request.FILES or None)
    errors, result = [], None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = parse_repayments(filename=upload.name, data=upload.read(), user=request.user)
            result = repayments_import(rows=rows, actor=request.user)
            messages.success(request, f"已入账 {result.posted} 笔，已入账过（跳过） {result.already_posted} 笔")
        except RepaymentImportError as exc:
            errors = exc.errors
    return render(request, "loans/repayments_import.html",
                  {"form": form, "errors": errors, "result": result, "columns": COLUMNS})
