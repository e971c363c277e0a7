"""Dashboard panel: portfolio figures of the last daily close (balance, overdue, NPL, lights)."""

from __future__ import annotations

import json

from django.urls import reverse
from django.utils.translation import gettext as _

from microcredit.apps.monitoring import selectors


def portfolio_panel(user, scope) -> dict | None:
    if not user.has_perm("monitoring.view_close"):
        return None
    rows = list(selectors.aggregates_for(user, level="township"))
    if not rows:
        return {"title": _("贷款监测"), "template": "monitoring/panel.html", "rows": [], "as_of": None,
                "links": _links()}
    names = selectors.region_names([r.code for r in rows])
    chart = {
        "tooltip": {"trigger": "axis"}, "legend": {"data": [_("绿灯"), _("黄灯"), _("红灯")]},
        "grid": {"left": 40, "right": 10, "bottom": 30, "containLabel": True},
        "xAxis": {"type": "category", "data": [names[r.code] for r in rows]}, "yAxis": {"type": "value", "name": _("笔")},
        "series": [{"name": n, "type": "bar", "stack": "l", "data": [getattr(r, k) for r in rows],
                    "itemStyle": {"color": c}}
                   for n, k, c in ((_("绿灯"), "green", "#66bb6a"), (_("黄灯"), "yellow", "#fdd835"), (_("红灯"), "red", "#e53935"))],
    }
    return {"title": _("贷款监测"), "template": "monitoring/panel.html", "as_of": rows[0].as_of,
            "rows": [(names[r.code], r) for r in rows], "chart": json.dumps(chart, ensure_ascii=False),
            "links": _links()}


def _links() -> list[tuple[str, str]]:
    """Into the monitoring pages (issue #12 §8): the one screen, the lights, the ranking."""
    return [(_("监测总览"), reverse("monitoring:overview")), (_("风险预警"), reverse("monitoring:lights")),
            (_("排名通报"), reverse("monitoring:ranking"))]
