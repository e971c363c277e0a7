"""Demo step "reminders" (after "servicing", whose close already made the business date's reminders): each
county's reminder settings saved with the default offsets and templates (DOMAIN §8, issue #12 §2), a few
households of the demo village clerk's village without a mobile number (their reminders go to the clerk's
to-do list, to deliver by hand), a week of reminders as that week's closes made them, and one pass of the
sender (through ``SMS_BACKEND``, the file ``var/sms/outbox.jsonl`` by default; held in quiet hours).
Deterministic but for the sender's clock: only ``ctx.rng``."""

from __future__ import annotations

import datetime as dt

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.households.services import household_update
from microcredit.apps.loans.models import Loan, LoanStatus
from microcredit.apps.reminders import services
from microcredit.apps.reminders.models import Reminder, ReminderSettings
from microcredit.demo.context import DemoContext

WEEK = 7
NO_PHONE = 4  # households of the clerk's village whose reminders are delivered by hand


def _user(ctx: DemoContext, name: str, role: str):
    return ctx.users.get(name) or next((u for u in ctx.users.values() if u.role == role), None)


def create_reminders(ctx: DemoContext) -> None:
    today = ctx.business_date
    county_user, admin = _user(ctx, "county", "county_office"), _user(ctx, "admin", "admin")
    defaults = ReminderSettings()
    with pinned_business_date(today):
        for county in ctx.counties:
            code = county.code[:6]
            actor = county_user if county_user is not None and code in (county_user.scope_regions or []) else admin
            if actor is not None:
                services.settings_save(actor=actor, county_code=code,
                                       **{name: getattr(defaults, name) for name in services.SETTINGS_FIELDS})
        clerk = _user(ctx, "village", "village_station")
        if clerk is not None and clerk.scope_regions:
            ids = sorted(Loan.objects.filter(status=LoanStatus.ACTIVE, region_code__startswith=clerk.scope_regions[0])
                         .values_list("household_id", flat=True))
            for loan in Loan.objects.filter(household_id__in=ctx.rng.sample(ids, min(NO_PHONE, len(ids)))):
                household_update(actor=clerk, household=loan.household, phone="")
        for k in range(WEEK - 1, -1, -1):  # the business date's close made its own; the earlier days' too
            services.reminders_generate(today - dt.timedelta(days=k))
        counts = services.send_due()
    ctx.count("reminders", Reminder.objects.count())
    ctx.count("reminders_sent", counts["sent"])
    ctx.progress.write(f"  reminders: {Reminder.objects.count()} in the outbox, {counts['sent']} sent, "
                       f"{counts['held']} held for the quiet hours\n")
