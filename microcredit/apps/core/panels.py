"""Page sections contributed by other apps (dashboard panels, household-page sections).

A provider is ``fn(user, subject) → {"template": …, …context}`` or None. Apps register theirs in
their ``AppConfig.ready()``, so the page's own app does not import the apps built on top of it.
The registries live here, low in the layers, so an app's page can use them without importing
the web shell (import-linter). Panels appear in INSTALLED_APPS order.
"""

from __future__ import annotations

from typing import Callable

from microcredit.apps.core.registry import Registry

DASHBOARD_PANELS = Registry("dashboard panel")  # name → fn(user, scope)
HOUSEHOLD_PANELS = Registry("household-page section")  # name → fn(user, household)
LOAN_PANELS = Registry("loan-page section")  # name → fn(user, loan)
AFTER_CLOSE = Registry("after-close step")  # name → fn(day), run inside the close's transaction
VILLAGE_COUNTS = Registry("village counts")  # "households" → fn(user) → {village code: households in scope}
LOAN_SCOPE = Registry("loan scope")  # role → fn(user) → Q narrowing the loans that role may see
MEMBER_RATING = Registry("member rating")  # "rating" → fn(member) → (grade, limit in fen) | None


def register_dashboard_panel(name: str, fn: Callable) -> None:
    DASHBOARD_PANELS.register(name, fn)


def register_household_panel(name: str, fn: Callable) -> None:
    HOUSEHOLD_PANELS.register(name, fn)


def register_loan_panel(name: str, fn: Callable) -> None:
    """A section of the loan page from an app above loans (risk flags, collection, checks)."""
    LOAN_PANELS.register(name, fn)


def loan_panels(user, loan) -> list[dict]:
    return call_providers(LOAN_PANELS, user, loan)


def register_after_close(name: str, fn: Callable) -> None:
    """``fn(day)`` runs at the end of each date's close, inside its transaction, after the circuit
    breakers (DOMAIN §8): reminders, collection cases. What it must do only once the close commits
    (an SMS) it defers with ``transaction.on_commit``."""
    AFTER_CLOSE.register(name, fn)


def after_close(day) -> None:
    for fn in AFTER_CLOSE.values():
        fn(day)


def register_village_counts(fn) -> None:
    """The region tree (regions, below households) shows households per village through this."""
    VILLAGE_COUNTS.register("households", fn)


def village_counts(user) -> dict[str, int]:
    return VILLAGE_COUNTS["households"](user) if "households" in VILLAGE_COUNTS else {}


def register_loan_scope(role: str, fn) -> None:
    """A role whose loans are narrower than its regions (the insurer: only 政银保 loans), decided by a higher app."""
    LOAN_SCOPE.register(role, fn)


def loan_scope_q(user):
    """The extra condition on the loans ``user`` may see, or None."""
    role = getattr(user, "role", "")
    return LOAN_SCOPE[role](user) if role in LOAN_SCOPE else None


def register_member_rating(fn: Callable) -> None:
    """The identity check (households.verification) answers the grade and limit through this."""
    MEMBER_RATING.register("rating", fn)


def member_rating(member):
    """(grade, credit limit in fen) of a member from the rating app, or None (none, or not installed)."""
    return MEMBER_RATING["rating"](member) if "rating" in MEMBER_RATING else None


def call_providers(registry: Registry, *args) -> list[dict]:
    """Call each provider with args; keep the panels that are not None."""
    return [panel for fn in registry.values() if (panel := fn(*args))]


def household_panels(user, household) -> list[dict]:
    """The household page's sections from the apps built on the registry (rating, loans)."""
    return call_providers(HOUSEHOLD_PANELS, user, household)
