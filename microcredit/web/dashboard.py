"""Dashboard panels: each app contributes a function (user, scope) → panel dict or None.

A panel is {"title", "template", ...context}. Apps register in PANEL_PROVIDERS.
"""

from __future__ import annotations

import importlib

PANEL_PROVIDERS = [
    "microcredit.apps.households.dashboard.households_by_status_panel",
    "microcredit.apps.monitoring.dashboard.portfolio_panel",
    "microcredit.apps.origination.dashboard.time_to_money_panel",
]


def call_providers(providers: list[str], *args) -> list[dict]:
    """Call each "module.function" with args; keep the panels that are not None."""
    panels = []
    for dotted in providers:
        module_name, fn_name = dotted.rsplit(".", 1)
        panel = getattr(importlib.import_module(module_name), fn_name)(*args)
        if panel:
            panels.append(panel)
    return panels


def dashboard_panels(user, scope) -> list[dict]:
    return call_providers(PANEL_PROVIDERS, user, scope)
