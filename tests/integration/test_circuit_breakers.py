"""Circuit breakers after the daily close (DOMAIN §8): a village over 5 % NPL is suspended (with
its township when ≥ 30 % of its villages are), applications there are refused with the Chinese
reason; lifting is a recorded decision and lets applications through again."""

from __future__ import annotations

import datetime as dt

import pytest

from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.loans.servicing import repayment_post
from microcredit.apps.monitoring import selectors, services
from microcredit.apps.monitoring.close import run_close
from microcredit.apps.monitoring.models import Suspension
from microcredit.apps.origination.checks import policy_failures
from tests.batch.portfolio import County
from tests.factories import make_household, make_user

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def county():
    with pinned_business_date(TODAY):
        c = County()
        c.bad = c.loan(village=0, method="bullet", months=12, disbursed=dt.date(2025, 1, 10), principal=100000)
        for v in (1, 2, 3):
            c.loan(village=v, months=36, disbursed=dt.date(2026, 5, 1))
        yield c


def breaker_failures(county, village=0):
    hh = make_household(county.tree.villages[village])
    return [f.message for f in policy_failures(household=hh, borrower=hh.members.first(), bank=county.bank,
                                               applied_on=TODAY, amount=3000000, term_months=12,
                                               usage_mode="self", purpose="养殖") if f.rule == "熔断"]


def test_village_over_five_percent_is_suspended_and_lifting_is_a_recorded_decision(county):
    with pinned_business_date(TODAY):
        run_close(TODAY)
        run_close(TODAY)  # idempotent: an open suspension is not duplicated
        village = county.tree.villages[0].code
        rows = {(s.level, s.region_code or s.bank_id) for s in Suspension.objects.all()}
        assert rows == {("village", village), ("township", village[:9])}  # 1 of 2 villages: ≥ 30 %
        s = Suspension.objects.get(level="village")
        assert "村不良率 100.00% 超过 5.00%" in s.reason and s.since == TODAY and s.is_open
        refused = breaker_failures(county)
        assert any(m.startswith("所在村已触发风险熔断，暂停新增贷款") and "村不良率 100.00%" in m for m in refused)
        assert any(m.startswith("所在乡镇已触发风险熔断") for m in refused)
        assert breaker_failures(county, village=2) == []  # the other township lends
        assert selectors.suspensions_for(region_code=village, bank=county.bank, on=TODAY)[0] == s.reason

        with pytest.raises(services.SuspensionError, match="无权"):
            services.suspension_lift(s, county.officer, "银行申请")
        with pytest.raises(services.SuspensionError, match="决定"):
            services.suspension_lift(s, county.county_user, " ")
        for row in Suspension.objects.filter(lifted_on__isnull=True):
            services.suspension_lift(row, county.county_user, "县乡村振兴局〔2026〕3号：已完成清收整改")
        s.refresh_from_db()
        assert s.lifted_on == TODAY and s.lifted_by == county.county_user and "整改" in s.decision
        assert AuditEntry.objects.filter(action="suspension.lift").count() == 2
        assert breaker_failures(county) == []
        run_close(TODAY)  # a rerun of the same close does not override the decision
        assert not Suspension.objects.filter(lifted_on__isnull=True).exists()
        with pytest.raises(services.SuspensionError, match="已于"):
            services.suspension_lift(s, county.county_user, "再次")


def test_bank_over_three_percent_is_suspended(county):
    with pinned_business_date(TODAY):
        county.loan(village=0, method="bullet", months=12, disbursed=dt.date(2025, 1, 10), principal=5000000)
        run_close(TODAY)
        bank = Suspension.objects.get(level="bank")
        assert bank.bank == county.bank and "银行不良率" in bank.reason
        assert any(m.startswith("贷款银行已触发风险熔断") for m in breaker_failures(county, village=2))


def test_suspension_page_lists_and_lifts(client, county):
    with pinned_business_date(TODAY):
        run_close(TODAY)
        client.force_login(county.county_user)
        page = client.get("/monitoring/suspensions/")
        assert page.status_code == 200 and "村不良率" in page.content.decode()
        s = Suspension.objects.get(level="village")
        client.post("/monitoring/suspensions/", {"suspension": s.pk, "decision": "整改完成"})
        s.refresh_from_db()
        assert s.lifted_on == TODAY and s.decision == "整改完成"
        client.force_login(make_user("auditor", scope_regions=[county.tree.county.prefix]))
        t = Suspension.objects.get(level="township")
        client.post("/monitoring/suspensions/", {"suspension": t.pk, "decision": "x"})
        t.refresh_from_db()
        assert t.is_open


# --- the fourth breaker: on-time recovery of the loans due this year < 98 % at 3 month ends (道县) ------

JUNE_END = dt.date(2026, 6, 30)


@pytest.fixture
def late_village():
    """东关村 (village 0): 480.00 interest_monthly from 2026-03-01 (daily interest 5.8 fen: 1.16, 1.80,
    1.74, 1.80), each paid the day after its due date → 0 % on time at every month end. 西关村 (village
    1): 48,000.00 paid on the due dates (116.00, 179.80, 174.00, 179.80) → its township 城关镇 is at
    29,580 / 29,876 = 99.0 % on 2026-04-30, above 98 %."""
    with pinned_business_date(JUNE_END):
        c = County()
        late = c.loan(village=0, method="interest_monthly", disbursed=dt.date(2026, 3, 1), principal=48_000)
        good = c.loan(village=1, method="interest_monthly", disbursed=dt.date(2026, 3, 1), principal=4_800_000)
        dues = [dt.date(2026, 3, 21), dt.date(2026, 4, 21), dt.date(2026, 5, 21), dt.date(2026, 6, 21)]
        for due, late_amount, amount in zip(dues, (126, 190, 184, 190), (11_600, 17_980, 17_400, 17_980)):
            repayment_post(loan=late, amount=late_amount, on=due + dt.timedelta(days=1), actor=c.officer)
            repayment_post(loan=good, amount=amount, on=due, actor=c.officer)
        yield c


def test_recovery_breaker_at_a_month_end_close(late_village):
    village = late_village.tree.villages[0].code
    with pinned_business_date(JUNE_END):
        run_close(dt.date(2026, 6, 29))  # not a month end: not evaluated
        assert not Suspension.objects.filter(rule="recovery").exists()
        run_close(JUNE_END)
        s = Suspension.objects.get(rule="recovery")
        assert (s.level, s.region_code, s.since) == ("village", village, JUNE_END)
        assert s.reason == ("村年内到期贷款按期收回率连续3个月低于98.00%（2026-04-30 0.00%、2026-05-31 0.00%、"
                            "2026-06-30 0.00%），暂停新增贷款")
        assert not Suspension.objects.filter(level="township").exists()  # 城关镇 is at 99 %
        assert AuditEntry.objects.filter(action="suspension.start", after__rule="recovery").count() == 1
        in_force = selectors.suspensions_for(region_code=village, bank=late_village.bank, on=JUNE_END)
        assert in_force[0] == s.reason and in_force[1] == ""
        run_close(JUNE_END)  # not duplicated
        assert Suspension.objects.filter(rule="recovery").count() == 1
        services.suspension_lift(s, late_village.county_user, "整改完成，县领导小组同意恢复")
        run_close(JUNE_END)  # a lift restarts the count: the same month ends do not stop it again
        assert Suspension.objects.filter(rule="recovery", lifted_on__isnull=True).count() == 0


def test_recovery_just_above_the_threshold_does_not_stop():
    """One village: a loan of 48,000.00 paid on time (29,580 due by 2026-04-30) and a loan of 480.00 paid
    late (296 due) → 99.0 % at 2026-04-30, rising after — never below 98 %."""
    with pinned_business_date(JUNE_END):
        c = County()
        late = c.loan(village=0, method="interest_monthly", disbursed=dt.date(2026, 3, 1), principal=48_000)
        good = c.loan(village=0, method="interest_monthly", disbursed=dt.date(2026, 3, 1), principal=4_800_000)
        dues = [dt.date(2026, 3, 21), dt.date(2026, 4, 21), dt.date(2026, 5, 21), dt.date(2026, 6, 21)]
        for due, late_amount, amount in zip(dues, (126, 190, 184, 190), (11_600, 17_980, 17_400, 17_980)):
            repayment_post(loan=late, amount=late_amount, on=due + dt.timedelta(days=1), actor=c.officer)
            repayment_post(loan=good, amount=amount, on=due, actor=c.officer)
        run_close(JUNE_END)
        assert not Suspension.objects.filter(rule="recovery").exists()
