"""Dashboard panels: each app contributes a function (user, scope) → panel dict or None.

A panel is {"title", "template", ...context}. Apps register in PANEL_PROVIDERS.
"""

from __future__ import annotations

import importlib

PANEL_PROVIDERS = [
    "microcredit.apps.households.dashboard.households_by_status_panel",
    "microcredit.apps.loans.dashboard.loans_panel",
    "microcredit.apps.monitoring.dashboard.portfolio_panel",
    "microcredit.apps.origination.dashboard.time_to_money_panel",
]


def dashboard_panels(user, scope) -> list[dict]:
    panels = []
    for dotted in PANEL_PROVIDERS:
        module_name, fn_name = dotted.rsplit(".", 1)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if not module_name.startswith(exc.name or "?"):
                raise
            continue
        panel = getattr(module, fn_name)(user, scope)
        if panel:
            panels.append(panel)
    return panels
