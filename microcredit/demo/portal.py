"""Demo step "portal" (after "ledgers"): two households with an active loan a visitor can sign in as on
the household portal (issue #14 §5), both in the demo village clerk's village — one whose next instalment
is due soonest (to see what it owes and when), one that may apply today (its application reaches the
clerk's to-do list). Each gets a mobile number that belongs to it alone (the portal treats a number shared
by two households as unknown); ``demo-logins`` prints them (the code arrives in var/sms/outbox.jsonl).
Deterministic: no randomness, the choice follows loan ids.
"""

from __future__ import annotations

from microcredit.apps.core.models import SystemSetting
from microcredit.apps.households.models import Household, Member
from microcredit.apps.loans.models import Loan, LoanStatus
from microcredit.apps.origination.checks import policy_failures
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


def _applicant(ctx: DemoContext, village: str | None, exclude: set[int]) -> Household | None:
    """A household of the clerk's village that may apply today — every policy rule passes for a 1万 loan
    (rated, no loan outstanding, no open application) — so the walk-through can send an application."""
    bank = ctx.banks[0] if ctx.banks else None
    candidates = Household.objects.filter(is_wubao=False).exclude(pk__in=exclude).order_by("id")
    if village:
        candidates = candidates.filter(region_code=village)
    for household in candidates[:300]:
        head = household.members.filter(relation="head").first()
        if bank is None or head is None or Loan.objects.filter(household=household, status=LoanStatus.ACTIVE).exists():
            continue
        if not policy_failures(household=household, borrower=head, bank=bank, applied_on=ctx.business_date,
                               amount=1_000_000, term_months=12, usage_mode="self", purpose="养殖肉牛"):
            return household
    return None


def create_portal(ctx: DemoContext) -> None:
    clerk = ctx.users.get("village")
    village = clerk.scope_regions[0] if clerk is not None and clerk.scope_regions else None
    active = Loan.objects.filter(status=LoanStatus.ACTIVE).order_by("id")
    mine = active.filter(region_code=village) if village else active  # the demo clerk's village first
    due_soon = (mine.filter(days_past_due=0, next_due_date__gte=ctx.business_date).order_by("next_due_date", "id")
                .first() or active.filter(days_past_due=0, next_due_date__gte=ctx.business_date)
                .order_by("next_due_date", "id").first())
    picks = [(Household.objects.get(pk=due_soon.household_id), due_soon.pk)] if due_soon else []
    applicant = _applicant(ctx, village, {h.pk for h, _ in picks})
    if applicant is not None:
        picks.append((applicant, None))
    households = [{"id": h.pk, "number": h.number, "name": h.head_name, "phone": _own_phone(h), "loan": loan}
                  for h, loan in picks]
    SystemSetting.objects.update_or_create(key=SETTING, defaults={"value": ",".join(str(h["id"]) for h in households)})
    ctx.extra["portal"] = {"households": households}
    ctx.counts["portal_households"] = len(households)
