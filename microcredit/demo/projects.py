"""Demo step "projects" (after "problems"): two legacy 分贷统还 projects in the project register
(DOMAIN §4; seeds S0 湖南, S2 道县) — one graded 好 and white-listed, its stages released against
progress and every payout to its households recorded on time; one graded 差 whose latest payout is
late, which the after-close check turns into a problem case.

The projects' households are borrowers of the demo book in one township whose loans are active and
repaid on time; their loans are marked as 分贷统还 (the demo may write models) so the indicators show
them under their own usage mode. Deterministic: ``ctx.rng`` and the business date only.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.loans.models import Loan, LoanStatus, UsageMode
from microcredit.apps.projects import selectors, services
from microcredit.demo.context import DemoContext
from microcredit.domain.projects import add_years

PER_PROJECT = 4
PROGRESS_PDF = b"%PDF-1.4\n% demo progress report\ntrailer << >>\n%%EOF\n"


def _candidates(ctx: DemoContext, today: dt.date) -> list[Loan]:
    """Active, on-time loans disbursed at least 13 months ago (a first payout is due), by id."""
    fates = ctx.extra.get("loans", {}).get("fates", {})
    on_time = sorted(i for i, f in fates.items() if f == "on_time")
    qs = Loan.objects.filter(status=LoanStatus.ACTIVE, disbursed_on__lte=add_years(today, -1) - dt.timedelta(days=35),
                             maturity_date__gt=today).select_related("household", "bank").order_by("id")
    if on_time:
        qs = qs.filter(pk__in=on_time)
    return list(qs[:2000])


def create_projects(ctx: DemoContext) -> None:
    county = ctx.users.get("county")
    today = ctx.business_date
    loans = _candidates(ctx, today)
    by_township: dict[tuple[str, int], list[Loan]] = {}
    for loan in loans:
        by_township.setdefault((loan.region_code[:9], loan.bank_id), []).append(loan)
    groups = [g for g in sorted(by_township.values(), key=lambda g: (-len(g), g[0].pk)) if len(g) >= 2 * PER_PROJECT]
    if county is None or not groups:
        return
    chosen = groups[0]
    ctx.rng.shuffle(chosen)
    good, poor = sorted(chosen[:PER_PROJECT], key=lambda x: x.pk), sorted(chosen[PER_PROJECT:2 * PER_PROJECT],
                                                                             key=lambda x: x.pk)
    Loan.objects.filter(pk__in=[x.pk for x in good + poor]).update(usage_mode=UsageMode.LEGACY_POOLED)
    township_code = good[0].region_code[:9].ljust(12, "0")
    bank = good[0].bank
    with pinned_business_date(today):
        _project(ctx, county, good, township_code, bank, name="食用菌产业园分贷统还项目", enterprise="青山县香菇专业合作社",
                 kind="cooperative", grade="good", white=True, late=False)
        _project(ctx, county, poor, township_code, bank, name="生态养殖场分贷统还项目", enterprise="青山县牧源养殖有限公司",
                 kind="enterprise", grade="poor", white=False, late=True)
        services.late_payouts_check(today)  # as the next close would
    ctx.count("legacy_projects", 2)


def _project(ctx, county, loans, region_code, bank, *, name, enterprise, kind, grade, white, late) -> None:
    for loan in loans:
        loan.refresh_from_db()
    start = min(loan.disbursed_on for loan in loans)
    project = services.project_create(
        name=name, enterprise_name=enterprise, enterprise_kind=kind, region_code=region_code, bank=bank,
        agreement_on=start, grade=grade, white_listed=white, account_number=f"62284800{ctx.rng.randrange(10**8):08d}",
        party_government="县乡村振兴局", party_bank=bank.name, party_enterprise=enterprise, actor=county)
    for loan in loans:
        services.participant_add(project=project, household=loan.household, loan=loan, actor=county)
    total = selectors.loans_amount(project)
    first = services.stage_add(project=project, planned_amount=total * 6 // 10, actor=county)
    second = services.stage_add(project=project, planned_amount=total - total * 6 // 10, actor=county)
    services.stage_release(stage=first, amount=first.planned_amount, released_on=start, actor=county,
                           progress_note="厂房（棚舍）主体完工，经三方现场验收",
                           progress_document=ContentFile(PROGRESS_PDF, name="一期进度验收.pdf"))
    second_on = start + dt.timedelta(days=120)
    if second_on <= ctx.business_date and not late:
        services.stage_release(stage=second, amount=second.planned_amount, released_on=second_on, actor=county,
                               progress_note="设备安装调试完成，投入生产",
                               progress_document=ContentFile(PROGRESS_PDF, name="二期进度验收.pdf"))
    today = ctx.business_date
    due = [p for p in selectors.project_payouts(project) if p.due_on <= today]
    late_due = max((p.due_on for p in due if p.due_on + dt.timedelta(days=project.grace_days) < today), default=None)
    skipped = None
    for p in due:
        if late and skipped is None and p.due_on == late_due:
            skipped = p  # one household's payout not paid: late, its grace over
            continue
        services.payout_record(payout=p, amount=p.minimum + ctx.rng.randrange(0, 50) * 1000,
                               paid_on=min(p.due_on + dt.timedelta(days=ctx.rng.randrange(0, 10)), today), actor=county)
