"""Report pages (issue #12 §9): the definitions with a parameter form each (run → the job's progress
page → download), the print view, and the definition editor for the county office."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import redirect, render

from microcredit.apps.core.clock import business_date
from microcredit.apps.monitoring.selectors import latest_close_date
from microcredit.apps.reference.selectors import bank_list
from microcredit.apps.regions.selectors import regions_in_scope
from microcredit.apps.reports import selectors, services
from microcredit.apps.reports.build import ReportError, display, produce
from microcredit.apps.reports.datasets import DATASETS
from microcredit.apps.reports.models import ReportDefinition
from microcredit.apps.reports.params import ReportParamError, default_region, resolve
from microcredit.domain.reports import FORMATS, PARAMS

MAX_PRINT_ROWS = 3000
MAX_SPEC_CHARS = 20_000


def _choices(user) -> dict:
    regions = regions_in_scope(user=user, levels=("county", "township", "village")).order_by("code")[:500]
    banks = bank_list()
    if user.bank_id and not user.has_perm("reports.edit_report"):
        banks = banks.filter(pk=user.bank_id)
    return {"regions": list(regions), "banks": list(banks), "default_region": default_region(user)}


def _definition(user, code: str) -> ReportDefinition:
    try:
        definition = selectors.definition_get(user=user, code=code)
    except ReportDefinition.DoesNotExist:
        raise Http404("没有这个报表") from None
    if not definition.active and not user.has_perm("reports.edit_report"):
        raise Http404("没有这个报表")
    return definition


@permission_required("reports.view_report", raise_exception=True)
def report_list(request):
    definitions = selectors.definition_list(user=request.user, include_inactive=True)
    day = latest_close_date() or business_date()  # the month the last close kept figures for
    return render(request, "reports/list.html", {"definitions": definitions, "params": PARAMS,
                                                 "can_edit": request.user.has_perm("reports.edit_report"),
                                                 "default_month": f"{day:%Y-%m}",
                                                 "default_quarter": f"{day.year}-Q{(day.month + 2) // 3}",
                                                 **_choices(request.user)})


@permission_required("reports.view_report", raise_exception=True)
def report_run(request, code: str):
    definition = _definition(request.user, code)
    if request.method != "POST":
        return redirect("reports:list")
    try:
        job = services.run_start(actor=request.user, definition=definition, raw_params=request.POST.dict())
    except (ReportParamError, services.ReportPermissionError) as exc:
        errors = getattr(exc, "errors", None) or [exc.message]
        return render(request, "reports/list.html", {"definitions": [definition], "params": PARAMS, "errors": errors,
                                                     "failed": definition.code, "values": request.POST,
                                                     **_choices(request.user)}, status=422)
    return redirect("jobs:detail", job.pk)


@permission_required("reports.view_report", raise_exception=True)
def report_print(request, code: str):
    """The report as a printable page (A4; the same rows and totals as the Excel file)."""
    definition = _definition(request.user, code)
    try:
        params = resolve(request.user, definition.spec.get("params", []), request.GET.dict())
        produced = produce(definition.spec, request.user, params, request.user.has_perm("core.see_identity"))
    except ReportParamError as exc:
        return render(request, "reports/print.html", {"definition": definition, "errors": exc.errors}, status=422)
    except ReportError as exc:
        return render(request, "reports/print.html", {"definition": definition, "errors": [exc.message]}, status=422)
    if len(produced.rows) > MAX_PRINT_ROWS:
        return render(request, "reports/print.html", {"definition": definition, "errors": [
            f"共 {len(produced.rows)} 行，超过打印页面的 {MAX_PRINT_ROWS} 行，请缩小区域或生成 Excel 文件"]}, status=422)
    rows, seq = [], 0
    for r in produced.rows:
        seq += r.kind == "data"
        rows.append({"kind": r.kind, "seq": seq if r.kind == "data" else "",
                     "cells": [display(v, f, produced.unit) for v, f in zip(r.cells, produced.formats)]})
    return render(request, "reports/print.html", {"definition": definition, "report": produced, "rows": rows})


@permission_required("reports.edit_report", raise_exception=True)
def definition_edit(request, code: str = ""):
    definition = _definition(request.user, code) if code else None
    errors, form = [], {"code": code, "name": definition.name if definition else "",
                        "active": definition.active if definition else True,
                        "spec": json.dumps(definition.spec if definition else _blank_spec(), ensure_ascii=False, indent=2)}
    status = 200
    if request.method == "POST":
        form = {"code": code or request.POST.get("code", "").strip()[:40], "name": request.POST.get("name", "")[:200],
                "active": request.POST.get("active") == "on", "spec": request.POST.get("spec", "")}
        spec = None
        if len(form["spec"]) > MAX_SPEC_CHARS:
            errors = [f"报表定义：最多 {MAX_SPEC_CHARS} 个字符"]
        else:
            try:
                spec = json.loads(form["spec"])
            except ValueError as exc:
                errors = [f"报表定义：不是有效的 JSON（第 {getattr(exc, 'lineno', '?')} 行）"]
        if not code and ReportDefinition.objects.filter(code=form["code"]).exists():
            errors.append("报表代码：已有同代码的报表")
        if not errors:
            try:
                services.definition_save(actor=request.user, code=form["code"], name=form["name"], spec=spec,
                                         active=form["active"])
                return redirect("reports:list")
            except services.DefinitionError as exc:
                errors = [f"{_field_label(e.field)}：{e.message}" for e in exc.errors]
        status = 422
    return render(request, "reports/edit.html", {"definition": definition, "form": form, "errors": errors,
                                                 "datasets": DATASETS, "formats": FORMATS, "params": PARAMS},
                  status=status)


def _field_label(field: str) -> str:
    head = field.split("[")[0].split(".")[0]
    names = {"code": "报表代码", "name": "报表名称", "title": "标题", "dataset": "数据集", "params": "参数",
             "columns": "列", "group_by": "分组列", "unit": "单位", "totals": "合计行", "numbered": "序号",
             "footer": "表尾说明", "spec": "报表定义"}
    return names.get(head, "报表定义")


def _blank_spec() -> dict:
    return {"title": "", "dataset": "loans_disbursed", "params": ["region", "month", "bank"], "unit": "元",
            "numbered": True, "group_by": "township", "totals": True, "footer": "",
            "columns": [{"field": "township", "header": "乡镇", "format": "text"},
                        {"field": "principal", "header": "贷款金额", "format": "money"}]}
