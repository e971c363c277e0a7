"""Demo step "portal" (after "ledgers"): two households with an active loan a visitor can sign in as on
the household portal (issue #14 §5) — one whose next instalment is due soonest, one overdue if the
county has one. Each gets a mobile number that belongs to it alone (the portal treats a number shared
by two households as unknown); ``demo-logins`` prints them (the code arrives in var/sms/outbox.jsonl).
Deterministic: no randomness, the choice follows loan ids.
"""

from __future__ import annotations

from django.db.models import Q

from microcredit.apps.core.models import SystemSetting
from microcredit.apps.households.models import Household, Member
from microcredit.apps.loans.models import Loan, LoanStatus
from microcredit.demo.context import DemoContext

SETTING = "demo_portal_households"  # "id,id": read by demo.logins.demo_portal_rows


def _shared(phone: str, household: Household) -> bool:
    if not phone:
        return True
    return (Household.objects.filter(phone=phone).exclude(pk=household.pk).exists()
            or Member.objects.filter(phone=phone).exclude(household=household).exists())


def _own_phone(household: Household) -> str:
    """The household's phone, or a new number nobody else has (199 + the household id)."""
    if not _shared(household.phone, household):
        return household.phone
    n = household.pk
    while True:
        phone = f"199{n % 10**8:08d}"
        if not _shared(phone, household):
            Household.objects.filter(pk=household.pk).update(phone=phone)
            return phone
        n += 1


def create_portal(ctx: DemoContext) -> None:
    active = Loan.objects.filter(status=LoanStatus.ACTIVE).order_by("id")
    overdue = active.filter(days_past_due__gt=0).order_by("-days_past_due", "id").first()
    due_soon = (active.filter(days_past_due=0, next_due_date__gte=ctx.business_date)
                .exclude(household_id=overdue.household_id if overdue else None)
                .order_by("next_due_date", "id").first())
    picks = [loan for loan in (due_soon, overdue) if loan is not None]
    if len(picks) < 2:  # a county without an overdue loan: the two loans due soonest
        picks += list(active.exclude(Q(household_id__in=[p.household_id for p in picks]))
                      .order_by("next_due_date", "id")[:2 - len(picks)])
    households = []
    for loan in picks:
        household = Household.objects.get(pk=loan.household_id)
        households.append({"id": household.pk, "number": household.number, "name": household.head_name,
                           "phone": _own_phone(household), "loan": loan.pk})
    SystemSetting.objects.update_or_create(key=SETTING, defaults={"value": ",".join(str(h["id"]) for h in households)})
    ctx.extra["portal"] = {"households": households}
    ctx.counts["portal_households"] = len(households)
