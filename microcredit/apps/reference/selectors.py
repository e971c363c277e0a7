"""Reads of reference data. Reference data is county-wide: every signed-in role may read it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from microcredit.apps.reference.models import Bank, Branch, PolicyEra, ReferenceRate
from microcredit.domain.policy import PolicyTerms
from microcredit.domain.rates import SHIPPED_RATES, RateFixing, cap_rate


def bank_list() -> QuerySet[Bank]:
    """Banks with their branches (and the branches' regions) prefetched."""
    return Bank.objects.prefetch_related(
        Prefetch("branches", queryset=Branch.objects.select_related("region").order_by("name"))
    )


def current_rate_fixings() -> tuple[RateFixing, ...]:
    """The fixings in force (latest versions), as domain values for ``domain.rates.cap_rate``."""
    rows = ReferenceRate.objects.current().order_by("kind", "tenor", "effective_from")
    return tuple(RateFixing(r.effective_from, r.kind, r.tenor, r.rate) for r in rows)


def rate_history(kind: str, tenor: str) -> QuerySet[ReferenceRate]:
    """Every version of every fixing of one kind/tenor, superseded ones included."""
    return ReferenceRate.objects.filter(kind=kind, tenor=tenor).select_related("recorded_by").order_by(
        "effective_from", "id"
    )


def rate_rows() -> QuerySet[ReferenceRate]:
    """All rate rows (current and superseded), newest fixing first within kind/tenor."""
    return ReferenceRate.objects.select_related("recorded_by").order_by("kind", "tenor", "-effective_from", "-id")


def policy_era_on(day: dt.date) -> PolicyEra | None:
    """The current version of the policy era in force on ``day`` (None before the first era)."""
    return PolicyEra.objects.current().filter(effective_from__lte=day).order_by("-effective_from", "-id").first()


def policy_eras_current() -> QuerySet[PolicyEra]:
    """The current version of every era, by start date."""
    return PolicyEra.objects.current().order_by("effective_from")


def era_names() -> dict[str, str]:
    """Era code → its name (帮扶小额信贷 …): the ``era`` vocabulary of core.labels."""
    return dict(PolicyEra.objects.current().values_list("code", "name"))


def policy_era_rows() -> QuerySet[PolicyEra]:
    """Every era version, current and superseded, by start date."""
    return PolicyEra.objects.select_related("recorded_by").order_by("effective_from", "code", "id")


def era_terms(on: dt.date) -> tuple[PolicyTerms | None, object]:
    """The domain terms and the reference row of the policy era in force on ``on``."""
    era = policy_era_on(on)
    if era is None:
        return None, None
    return PolicyTerms(era.code, era.name, era.max_amount, era.max_term_months, tuple(era.eligible_statuses),
                       era.min_age, era.max_age), era


def era_cap_rate(era, on: dt.date, term_months: int, fixings=None) -> Decimal:
    """The cap rate (DOMAIN §11) with the county's fixings (read now unless given) and the era's set cap."""
    fixings = fixings or current_rate_fixings() or SHIPPED_RATES
    era_cap = era.cap_rate if era is not None and era.rate_basis == "setting" else None
    return cap_rate(on, term_months, fixings, era_cap)
