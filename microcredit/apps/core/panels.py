"""Page sections contributed by other apps (dashboard panels, household-page sections).

A provider is ``fn(user, subject) → {"template": …, …context}`` or None, named by its dotted path
so the page's own app does not import the apps built on top of it. The registries live here, low
in the layers, so an app's page can use them without importing the web shell (import-linter).
"""

from __future__ import annotations

import importlib

HOUSEHOLD_PANEL_PROVIDERS = [
    "microcredit.apps.rating.household_panel.rating_panel",
    "microcredit.apps.origination.household_panel.loans_panel",
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


def household_panels(user, household) -> list[dict]:
    """The household page's sections from the apps built on the registry (rating, loans)."""
    return call_providers(HOUSEHOLD_PANEL_PROVIDERS, user, household)
