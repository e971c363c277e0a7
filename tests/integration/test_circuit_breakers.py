"""Circuit breakers after the daily close (DOMAIN §8): a village over 5 % NPL is suspended (with
its township when ≥ 30 % of its villages are), applications there are refused with the Chinese
reason; lifting is a recorded decision and lets applications through again."""

from __future__ import annotations

import datetime as dt

import pytest

from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.core.clock import pinned_business_date
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
