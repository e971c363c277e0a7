"""Demo step "postloan" (after "servicing"): post-loan checks and risk flags (DOMAIN §8, issue #12 §1, §4).

The usage-check history of the demo county's active loans is written in bulk (the first check within
30 days of disbursement, then one a year before each anniversary), leaving in the demo village a few
checks due and a few overdue (so the village clerk's to-do list 待办 shows them) and, elsewhere, a
small share overdue. Through the services (audited, the loans' cached risk flag kept): one failed
check (raising 贷款用途核查未通过), a death on a household, a migration on a loan, a disaster on a
household of another village, and one migration cleared again (its history). Loans that already carry
a risk flag (the claims' causes, blacklisting) are left alone.

Deterministic: only ``ctx.rng`` (the runner seeds it per step).
"""

from __future__ import annotations

import datetime as dt
import random

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.loans.models import Loan, LoanStatus
from microcredit.apps.postloan import services
from microcredit.apps.postloan.models import CheckResult, PostLoanCheck
from microcredit.demo.context import DemoContext
from microcredit.domain.postloan import CHECK_DUE, CHECK_OVERDUE, check_status

VILLAGE_DUE = 3  # checks left due (window open) in the demo village
VILLAGE_OVERDUE = 2  # checks left overdue there
OVERDUE_SHARE = 0.04  # elsewhere in the county
FINDINGS = ("贷款用于养殖，存栏与申请一致", "贷款用于种植，已购种苗化肥", "用于小型加工，设备已购置",
            "用途与申请一致，经营正常", "入户核实，资金用于发展产业")


def _history(rng: random.Random, disbursed: dt.date, today: dt.date, leave: str) -> tuple[list[tuple], str]:
    """Check dates (with the due date each answers) up to ``today``; ``leave`` the current one undone
    ("due": its window is open; "overdue": the latest missed one). Returns the rows and the status left."""
    rows, last = [], None
    while True:
        due, status = check_status(disbursed, last, today)
        if not status:
            return rows, ""
        if status == CHECK_DUE and leave == CHECK_DUE:
            return rows, CHECK_DUE
        if status == CHECK_OVERDUE and leave == CHECK_OVERDUE and check_status(disbursed, due, today).status != CHECK_OVERDUE:
            return rows, CHECK_OVERDUE
        day = min(today, max(disbursed, due - dt.timedelta(days=rng.randint(0, 20))))
        if last is not None:
            day = max(day, last + dt.timedelta(days=1))
        rows.append((due, day))
        last = day


def _pick(loans, rng: random.Random, n: int, exclude: set[int]) -> list:
    pool = [x for x in loans if x.pk not in exclude and not x.risk_flag]
    return rng.sample(pool, min(n, len(pool)))


def create_postloan(ctx: DemoContext) -> None:
    today = ctx.business_date
    rng = ctx.rng
    clerk, township = ctx.users.get("village"), ctx.users.get("township")
    if clerk is None or not clerk.scope_regions:
        return
    village = clerk.scope_regions[0]
    county6 = ctx.county.code[:6]
    loans = list(Loan.objects.filter(region_code__startswith=county6, status=LoanStatus.ACTIVE,
                                     disbursed_on__lte=today).select_related("household").order_by("pk"))
    if not loans:
        return
    in_village = [x for x in loans if x.region_code.startswith(village)]
    rows, left, undone = [], {CHECK_DUE: 0, CHECK_OVERDUE: 0}, set()
    for loan in loans:
        checker, status = None, ""
        if loan.region_code.startswith(village):  # leave a few due (window open), then a few overdue
            checker = clerk
            if left[CHECK_DUE] < VILLAGE_DUE:
                history, status = _history(rng, loan.disbursed_on, today, CHECK_DUE)
            if status != CHECK_DUE:
                want = CHECK_OVERDUE if left[CHECK_OVERDUE] < VILLAGE_OVERDUE else ""
                history, status = _history(rng, loan.disbursed_on, today, want)
            if status:
                left[status] += 1
                undone.add(loan.pk)
        else:
            history, _left = _history(rng, loan.disbursed_on, today,
                                      CHECK_OVERDUE if rng.random() < OVERDUE_SHARE else "")
        rows.extend(PostLoanCheck(loan=loan, region_code=loan.region_code, due_on=due, checked_on=day,
                                  checked_by=checker, result=CheckResult.PASSED, finding=rng.choice(FINDINGS))
                    for due, day in history)
    PostLoanCheck.objects.bulk_create(rows, batch_size=2000)

    with pinned_business_date(today):
        used: set[int] = set()
        flagged = 0
        done = _pick(in_village, rng, 1, undone) or _pick(in_village, rng, 1, set())
        for loan in done:  # one failed check → 贷款用途核查未通过
            used.add(loan.pk)
            services.check_record(loan=loan, passed=False, finding="入户核查：贷款资金部分用于建房，与申请用途不符",
                                  actor=clerk, checked_on=today)
            flagged += 1
        for loan in _pick(in_village, rng, 1, used):
            used.add(loan.pk)
            services.flag_set(kind="death", reason="户主因病去世（村委会证明），由其子承接还款", actor=clerk,
                              household=loan.household)
            flagged += 1
        migrations = []
        for loan in _pick(in_village, rng, 2, used):
            used.add(loan.pk)
            migrations.append(services.flag_set(kind="migration", reason="借款人外出务工（浙江宁波），家中无人经营",
                                                actor=clerk, loan=loan))
            flagged += 1
        if len(migrations) == 2:  # the second: back home, cleared (its history stays)
            services.flag_clear(flag=migrations[1], reason="借款人已返乡，恢复养殖经营", actor=clerk)
        if township is not None and township.scope_regions:
            others = [x for x in loans if x.region_code.startswith(township.scope_regions[0])
                      and not x.region_code.startswith(village)]
            for loan in _pick(others, rng, 1, used):
                services.flag_set(kind="disaster", reason="7 月暴雨山洪，养殖棚舍损毁", actor=township,
                                  household=loan.household)
                flagged += 1
    ctx.count("postloan_checks", len(rows) + 1)
    ctx.count("risk_flags", flagged)
    ctx.extra["postloan"] = {"due": left[CHECK_DUE], "overdue": left[CHECK_OVERDUE], "village": village}
