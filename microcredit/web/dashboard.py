"""Dashboard panels: each app contributes a function (user, scope) → panel dict or None.

A panel is {"title", "template", ...context}. Apps register in PANEL_PROVIDERS.
"""

from __future__ import annotations

from microcredit.apps.core.panels import call_providers

PANEL_PROVIDERS = [
    "microcredit.apps.households.dashboard.households_by_status_panel",
    "microcredit.apps.monitoring.dashboard.portfolio_panel",
    "microcredit.apps.origination.dashboard.time_to_money_panel",
]


def dashboard_panels(user, scope) -> list[dict]:
    return call_providers(PANEL_PROVIDERS, user, scope)
