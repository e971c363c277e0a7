"""The region tree page and the region import form (thin: selectors and services do the work)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from microcredit.apps.regions.forms import RegionImportForm
from microcredit.apps.regions.selectors import region_tree
from microcredit.apps.regions.services import import_regions, read_regions_csv


@login_required
def tree(request):
    form = RegionImportForm() if request.user.has_perm("core.manage_regions") else None
    return render(request, "regions/tree.html", {"tree": region_tree(user=request.user), "form": form})


@require_POST
@login_required
@permission_required("core.manage_regions", raise_exception=True)
def import_view(request):
    form = RegionImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要导入的文件")
        return redirect("regions:tree")
    try:
        rows = read_regions_csv(form.cleaned_data["file"].read())
    except UnicodeDecodeError:
        messages.error(request, "文件必须是 UTF-8 编码的 CSV")
        return redirect("regions:tree")
    result = import_regions(rows=rows, actor=request.user)
    if not result.ok:
        return render(request, "regions/tree.html", {
            "tree": region_tree(user=request.user), "form": form, "errors": result.errors,
        }, status=400)
    messages.success(request, f"导入完成：新增{result.created}个，更新{result.updated}个，未变{result.unchanged}个")
    return redirect("regions:tree")
