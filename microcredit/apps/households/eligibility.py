"""The facts for the borrower rule (``domain.policy.eligibility_failures``, DOMAIN §2, §4): the
household's status and 五保户 flag, and the statuses eligible in the policy era in force."""

from __future__ import annotations

import datetime as dt

from microcredit.apps.households.models import Household
from microcredit.apps.reference.selectors import policy_era_on
from microcredit.domain.households import DEFAULT_ELIGIBLE_STATUSES
from microcredit.domain.policy import eligibility_failures


def eligible_statuses(on: dt.date) -> tuple[str, ...]:
    """Statuses eligible in the policy era in force on `on` (defaults when no era is recorded)."""
    era = policy_era_on(on)
    return tuple(era.eligible_statuses) if era is not None else tuple(DEFAULT_ELIGIBLE_STATUSES)


def household_is_eligible(household: Household, on: dt.date) -> bool:
    return not eligibility_failures(household.status, household.is_wubao, eligible_statuses(on))
