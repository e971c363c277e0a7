"""Basic eligibility of a registered member for a policy loan (DOMAIN §2, §4).

The full checks (age, debts, project) belong to the application workflow; here: the household
is registered, its status is eligible in the policy era in force, and it is not 五保户.
"""

from __future__ import annotations

import datetime as dt

from microcredit.apps.households.models import Household, HouseholdStatus

DEFAULT_ELIGIBLE = (HouseholdStatus.POOR, HouseholdStatus.EXITED, HouseholdStatus.EDGE, HouseholdStatus.MONITORED)


def eligible_statuses(on: dt.date) -> tuple[str, ...]:
    """Statuses eligible in the policy era in force on `on` (defaults when no era is recorded)."""
    from microcredit.apps.reference.models import PolicyEra

    era = PolicyEra.objects.current().filter(effective_from__lte=on).order_by("-effective_from", "-id").first()
    if era is None:
        return tuple(str(s) for s in DEFAULT_ELIGIBLE)
    return tuple(era.eligible_statuses)


def household_is_eligible(household: Household, on: dt.date) -> bool:
    return not household.is_wubao and household.status in eligible_statuses(on)
