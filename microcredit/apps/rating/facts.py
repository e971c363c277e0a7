"""Registry attributes → scorecard facts (DOMAIN §3 default factor scoring)."""

from __future__ import annotations

import datetime as dt

from microcredit.apps.loans.selectors import household_loan_histories
from microcredit.apps.rating.models import BlacklistEntry, Honour
from microcredit.domain.identity import age_on
from microcredit.domain.monitoring import overdue_episodes
from microcredit.domain.scorecards import HouseholdFacts

_ABLE = ("full", "skilled")
_SKILL_ORDER = {"certified": 2, "some": 1, "none": 0}


def household_facts(household, on: dt.date) -> HouseholdFacts:
    """What the registry says about a household on ``on`` (votes come later from the committee)."""
    members = list(household.members.all())
    head = next((m for m in members if m.relation == "head"), members[0] if members else None)
    able = [m for m in members if m.labour in _ABLE and 16 <= age_on(m.birth_date, on) <= 65]
    skill = max((m.skill for m in members), key=lambda s: _SKILL_ORDER.get(s, 0), default="none")
    three_years_ago = on.replace(year=on.year - 3) if not (on.month == 2 and on.day == 29) else on - dt.timedelta(days=1096)
    overdue = overdue_episodes(household_loan_histories(household), since=three_years_ago, on=on)
    honour = Honour.objects.filter(household=household, revoked_on__isnull=True, granted_on__lte=on).order_by(
        "-granted_on").values_list("kind", flat=True).first() or ""
    malicious = BlacklistEntry.objects.filter(household=household, malicious=True, lifted_on__isnull=True,
                                              until__gte=on).exists()
    return HouseholdFacts(
        income_per_head=household.income_per_head,
        able_labourers=len(able),
        skill=skill,
        head_age=age_on(head.birth_date, on) if head else 40,
        head_health=head.health if head else "healthy",
        dependants=len(members) - len(able),
        overdue_episodes_3y=overdue,
        malicious_default=malicious,
        honour=honour,
    )
