"""Dashboard panels: each app registers a function (user, scope) → panel dict or None in its
`AppConfig.ready()` (`core.panels.register_dashboard_panel`).

A panel is {"title", "template", ...context}.
"""

from __future__ import annotations

from microcredit.apps.core.panels import DASHBOARD_PANELS, call_providers


def dashboard_panels(user, scope) -> list[dict]:
    return call_providers(DASHBOARD_PANELS, user, scope)
