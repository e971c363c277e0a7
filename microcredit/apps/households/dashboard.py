"""Dashboard panel: households by township and status (one aggregate query, scoped)."""

from __future__ import annotations

import json

from django.db.models import Count
from django.utils.translation import gettext as _

from microcredit.apps.households.models import HouseholdStatus
from microcredit.apps.households.selectors import households_in_scope


def households_by_status_panel(user, scope) -> dict | None:
    """Table and stacked-bar chart of township × status counts, each a link to the household list with
    the township and status; None without core.view_registry."""
    if not user.has_perm("core.view_registry"):
        return None
    rows = (
        households_in_scope(user=user)
        .values("village__parent_id", "village__parent__name", "status")
        .annotate(n=Count("id"))
        .order_by("village__parent_id", "status")
    )
    statuses = list(HouseholdStatus)
    townships: dict[str, dict] = {}
    for r in rows:
        t = townships.setdefault(r["village__parent_id"], {
            "code": r["village__parent_id"], "name": r["village__parent__name"], "counts": dict.fromkeys(statuses, 0),
        })
        t["counts"][HouseholdStatus(r["status"])] += r["n"]
    table = [
        {"code": t["code"], "name": t["name"], "cells": [(s.value, t["counts"][s]) for s in statuses],
         "total": sum(t["counts"].values())}
        for t in townships.values()
    ]
    totals = [(s.value, sum(t["counts"][s] for t in townships.values())) for s in statuses]
    chart = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"data": [str(s.label) for s in statuses]},
        "grid": {"left": 40, "right": 10, "bottom": 30, "containLabel": True},
        "xAxis": {"type": "category", "data": [t["name"] for t in table]},
        "yAxis": {"type": "value", "name": _("户")},
        "series": [
            {"name": str(s.label), "type": "bar", "stack": "total", "data": [t["cells"][i][1] for t in table]}
            for i, s in enumerate(statuses)
        ],
    }
    return {
        "title": _("各乡镇农户户类型分布"),
        "template": "households/panel_by_status.html",
        "status_labels": [str(s.label) for s in statuses],
        "rows": table,
        "totals": totals,
        "grand_total": sum(n for _s, n in totals),
        "chart_json": json.dumps(chart, ensure_ascii=False),
    }
