"""Demo step "targets" (after "projects"): the demo county's lending targets 年度放贷目标 for the business
date's year — the county, each township and each bank — so the ranking 周点评/月通报 shows 计划完成率 against
the time progress (issue #12 item 8). Each target is the year's lending so far projected to the whole year
and scaled by a draw of ``ctx.rng`` (some units ahead of the time progress, some behind), rounded to 万元;
set through the service (audited). Deterministic: only ``ctx.rng``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.db.models.functions import Substr

from microcredit.apps.accounts.scope import SYSTEM, Scope
from microcredit.apps.loans.models import Loan
from microcredit.apps.monitoring.services import targets_set
from microcredit.demo.context import DemoContext

WAN = 1_000_000  # 一万元 in fen
FLOOR = 100 * WAN  # a township or bank with little lending so far still gets 100 万元


def _target(ctx: DemoContext, so_far: int, elapsed_days: int, year_days: int) -> int:
    projected = so_far * year_days // max(elapsed_days, 1)
    scaled = projected * ctx.rng.randint(85, 125) // 100
    return max(FLOOR, (scaled + WAN // 2) // WAN * WAN)


def _county_user(ctx: DemoContext, county_code: str):
    for u in ctx.users.values():
        if getattr(u, "role", "") == "county" and Scope.of(u).covers(county_code):
            return u
    return SYSTEM


def create_targets(ctx: DemoContext) -> None:
    if not ctx.counties:
        return
    county = ctx.county.code[:6]
    today = ctx.business_date
    first = dt.date(today.year, 1, 1)
    elapsed, days = (today - first).days + 1, (dt.date(today.year + 1, 1, 1) - first).days
    lent = Loan.objects.filter(region_code__startswith=county, disbursed_on__range=(first, today)).order_by()
    by_township = {r["c"]: r["a"] or 0 for r in lent.annotate(c=Substr("region_code", 1, 9)).values("c")
                   .annotate(a=Sum("principal"))}
    by_bank = {r["bank_id"]: r["a"] or 0 for r in lent.values("bank_id").annotate(a=Sum("principal"))}
    townships = sorted(t.code[:9] for t in ctx.townships if t.code.startswith(county))
    regions = {code: _target(ctx, by_township.get(code, 0), elapsed, days) for code in townships}
    regions[county] = sum(regions.values())
    banks = {b.pk: _target(ctx, by_bank.get(b.pk, 0), elapsed, days) for b in sorted(ctx.banks, key=lambda b: b.code)}
    targets_set(actor=_county_user(ctx, county), year=today.year, county_code=county, regions=regions, banks=banks)
    ctx.count("lending_targets", len(regions) + len(banks))
    ctx.log(f"  年度放贷目标：{today.year} 年，{len(townships)} 个乡镇、{len(banks)} 家银行")
