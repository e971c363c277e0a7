"""Demo step "collection" (after "servicing", whose daily close opened a collection case for every
overdue loan): the village and township staff's work on them — a few visits and calls, one promise
to pay still running, one promise broken (its date passed unpaid, marked so by the close's
collection step), all through ``collection.services`` (audited).

A case opened by the demo's single close is dated the business date; the loans have been overdue
longer, so the sampled cases are dated from the day their loan fell overdue (the demo may write
models) before their history is recorded. Deterministic: only ``ctx.rng``.
"""

from __future__ import annotations

import datetime as dt

from microcredit.apps.collection.models import Case, CaseEvent
from microcredit.apps.collection.services import action_record, cases_after_close
from microcredit.apps.core.clock import pinned_business_date
from microcredit.demo.context import DemoContext
from microcredit.domain import collection as rules

VISITS = 4
NOTES = ["上门宣传政策，户主表示近期卖牛后还款", "电话联系户主，称外出务工，工资到账后归还", "村两委陪同走访，家中确有困难",
         "短信提醒已送达", "上门未见到户主，已留催收通知书"]


def _user(ctx: DemoContext, username: str, role: str):
    user = ctx.users.get(username)
    if user is not None:
        return user
    return next((u for u in ctx.users.values() if u.role == role), None)


def _covers(user, region_code: str) -> bool:
    return any(region_code.startswith(p) for p in user.scope_regions or ())


def _backdate(today: dt.date) -> None:
    """Date each case opened by the demo's close from the day its loan fell overdue (the demo closed
    only the business date; a county running the system daily would have opened it then)."""
    cases = list(Case.objects.filter(state=rules.OPEN, opened_on=today, days_past_due__gt=1))
    for case in cases:
        case.opened_on = case.state_entered_on = case.updated_on = today - dt.timedelta(days=case.days_past_due - 1)
    Case.objects.bulk_update(cases, ["opened_on", "state_entered_on", "updated_on"], batch_size=1000)
    events = list(CaseEvent.objects.filter(case__in=cases, kind=CaseEvent.Kind.OPENED).select_related("case"))
    for e in events:
        e.on = e.case.opened_on
    CaseEvent.objects.bulk_update(events, ["on"], batch_size=1000)


def create_collection(ctx: DemoContext) -> None:
    today = ctx.business_date
    with pinned_business_date(today):
        cases_after_close(today)  # idempotent: the close of "servicing" has run it already
        village, township = _user(ctx, "village", "village_station"), _user(ctx, "township", "township_station")
        county = _user(ctx, "county", "county_office")
        if village is None or township is None or county is None:
            return
        mine = [c for c in Case.objects.filter(state=rules.OPEN, days_past_due__gte=15).order_by("pk")
                if _covers(village, c.region_code)]
        others = list(Case.objects.filter(state=rules.OPEN, days_past_due__gte=15).exclude(
            pk__in=[c.pk for c in mine]).order_by("pk"))
        ctx.rng.shuffle(others)
        others.sort(key=lambda c: not _covers(township, c.region_code))  # the demo township's first: its logins see them
        picked = (mine[:2] + others + mine[2:])[:VISITS + 2]
        # the broken promise (k = 0) on a case of 30+ days, which the township station follows (domain.collection)
        picked.sort(key=lambda c: c.days_past_due < 30)
        _backdate(today)
        done = {"visits": 0, "promises": 0, "broken": 0}
        for k, case in enumerate(picked):
            case.refresh_from_db()
            actor = next((u for u in (village, township, county) if _covers(u, case.region_code)), county)
            day = today - dt.timedelta(days=min(case.days_past_due - 1, 10))
            if k == 0:  # a broken promise: promised for five days ago, still overdue at the close
                promised = max(day, today - dt.timedelta(days=5))
                action_record(case=case, actor=actor, on=day, channel="visit", result="promise", promised_on=promised,
                              promised_amount=min(case.overdue_amount, 300000) or 100000, note=NOTES[0])
                done["broken"] += 1
            elif k == 1:  # a promise still running
                action_record(case=case, actor=actor, on=today, channel="phone", result="promise",
                              promised_on=today + dt.timedelta(days=7),
                              promised_amount=min(case.overdue_amount, 500000) or 100000, note=NOTES[1])
                done["promises"] += 1
            else:
                channel, result = ctx.rng.choice([("visit", "hardship"), ("phone", "unreachable"), ("sms", "other"),
                                                  ("visit", "refused")])
                action_record(case=case, actor=actor, on=day, channel=channel, result=result,
                              note=NOTES[2 + k % 3])
                done["visits"] += 1
        cases_after_close(today)  # the close's step: the promise dated before today is broken
    ctx.counts["collection_cases"] = Case.objects.count()
    ctx.counts["collection_actions"] = sum(done.values())
