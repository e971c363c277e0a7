"""Sections of the household page contributed by other apps (rating, origination, loans).

A provider is fn(user, household) → {"template": …, …context} or None; the household page
includes each in order, so the registry app does not import the apps built on top of it.
"""

from __future__ import annotations

from microcredit.web.dashboard import call_providers

PANEL_PROVIDERS = [
    "microcredit.apps.rating.household_panel.rating_panel",
    "microcredit.apps.origination.household_panel.loans_panel",
]


def household_panels(user, household) -> list[dict]:
    return call_providers(PANEL_PROVIDERS, user, household)
