"""The calculator page: a form, the schedule as a table and a chart."""

import json
from decimal import Decimal

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from microcredit.apps.calc.forms import ScheduleForm
from microcredit.calculator import run
from microcredit.domain.errors import DomainError


def _chart(installments: list[dict]) -> str:
    return json.dumps({
        "tooltip": {"trigger": "axis"}, "legend": {"data": ["本金", "利息"]},
        "xAxis": {"type": "category", "data": [i["due_date"] for i in installments]},
        "yAxis": {"type": "value", "name": "元"},
        "series": [
            {"name": "本金", "type": "bar", "stack": "t", "data": [i["principal"] for i in installments]},
            {"name": "利息", "type": "bar", "stack": "t", "data": [i["interest"] for i in installments]},
        ],
    }, ensure_ascii=False)


@login_required
@permission_required("core.use_calculator", raise_exception=True)
def calculator_page(request):
    form = ScheduleForm(request.GET or None)
    result = error = None
    if form.is_valid():
        try:
            result = run("schedule", form.payload())
        except DomainError as exc:
            error = f"{exc.field}：{exc.message}"
    context = {"form": form, "result": result, "error": error}
    if result:
        items = result["installments"]
        context["totals"] = {
            "principal": sum(Decimal(i["principal"]) for i in items),
            "interest": sum(Decimal(i["interest"]) for i in items),
        }
        context["chart_json"] = _chart(items)
    return render(request, "calc/page.html", context)
