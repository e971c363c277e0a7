"""The reward fund 奖补资金 (issue #12 item 5, DOMAIN §8, 道县) on a hand-built year, its page, Excel and API.

Year 2026, business date 2027-01-15 (the list is final). Rate 4.35 %:

- 东关村: a 10,000.00 bullet loan of 2025-02-01, due 2026-02-01 with 441.04 interest (365 days), paid
  on its due date → recovery 100 %. New in 2026: 30,000.00 from 卢氏农商银行 (NSH) → reward 600.00
  (乡镇 180.00, 村 120.00, 银行 240.00, 领导小组 60.00) and 5,000.50 from 卢氏信用社 (XYS) → 100.01
  (30.00, 20.00, 40.00, 10.01: the leading group absorbs the remainder).
- 西关村: the same old loan paid late (2026-02-10) → 0 %; new 20,000.00 (NSH) → no reward.
- 东明村: new 10,000.00 (XYS), nothing due in 2026 → no rate, no reward.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.loans.servicing import repayment_post
from microcredit.apps.monitoring.rewards import RewardError, rewards_for
from tests.batch.portfolio import County
from tests.factories import make_bank, make_user

pytestmark = pytest.mark.django_db
TODAY = dt.date(2027, 1, 15)


@pytest.fixture
def county():
    with pinned_business_date(TODAY):
        c = County()
        nsh, xys = c.bank, make_bank("XYS", "卢氏信用社")
        old0 = c.loan(village=0, method="bullet", months=12, disbursed=dt.date(2025, 2, 1), principal=1_000_000)
        old1 = c.loan(village=1, method="bullet", months=12, disbursed=dt.date(2025, 2, 1), principal=1_000_000)
        repayment_post(loan=old0, amount=1_044_104, on=dt.date(2026, 2, 1), actor=c.officer)
        repayment_post(loan=old1, amount=1_100_000, on=dt.date(2026, 2, 10), actor=c.officer)
        c.loan(village=0, method="bullet", months=12, disbursed=dt.date(2026, 6, 1), principal=3_000_000)
        c.loan(village=1, method="bullet", months=12, disbursed=dt.date(2026, 6, 1), principal=2_000_000)
        c.bank = xys
        c.loan(village=0, method="bullet", months=12, disbursed=dt.date(2026, 7, 1), principal=500_050)
        c.loan(village=2, method="bullet", months=12, disbursed=dt.date(2026, 7, 1), principal=1_000_000)
        c.bank, c.xys = nsh, xys
        yield c


def test_the_year_by_hand(county):
    with pinned_business_date(TODAY):
        data = rewards_for(user=county.county_user, year=2026)
    assert (data.year, data.cutoff, data.provisional) == (2026, dt.date(2026, 12, 31), False)
    lines = {(x.village, x.bank_code): x for x in data.lines}
    assert set(lines) == {("411224100001", "NSH"), ("411224100001", "XYS"), ("411224100002", "NSH"),
                          ("411224101001", "XYS")}
    a = lines[("411224100001", "NSH")]
    assert (a.disbursed, a.due, a.repaid_on_time, a.recovery_rate, a.eligible) == \
        (3_000_000, 1_044_104, 1_044_104, Decimal("1.0000"), True)
    assert (a.amount, a.township_share, a.village_share, a.bank_share, a.leading_group_share) == \
        (60_000, 18_000, 12_000, 24_000, 6_000)
    b = lines[("411224100001", "XYS")]
    assert (b.amount, b.township_share, b.village_share, b.bank_share, b.leading_group_share) == \
        (10_001, 3_000, 2_000, 4_000, 1_001)
    late = lines[("411224100002", "NSH")]
    assert (late.recovery_rate, late.eligible, late.amount) == (Decimal("0.0000"), False, 0)
    assert "低于 98.00%" in late.reason
    none = lines[("411224101001", "XYS")]
    assert (none.recovery_rate, none.eligible, none.amount) == (None, False, 0) and "无到期" in none.reason
    assert (data.disbursed, data.amount, data.leading_group) == (6_500_050, 70_001, 7_001)
    assert [(t.key, t.amount) for t in data.townships] == [("411224100000", 21_000), ("411224101000", 0)]
    assert [(t.key, t.amount) for t in data.banks] == [("NSH", 24_000), ("XYS", 4_000)]
    assert sum(t.amount for t in data.villages) == 14_000
    parts = (sum(t.amount for t in data.townships) + sum(t.amount for t in data.villages)
             + sum(t.amount for t in data.banks) + data.leading_group)
    assert parts == data.amount


def test_scope_and_years(county):
    with pinned_business_date(TODAY):
        township = make_user("township_station", scope_regions=["411224101"])
        assert [x.village for x in rewards_for(user=township, year=2026).lines] == ["411224101001"]
        assert {x.bank_code for x in rewards_for(user=county.officer, year=2026).lines} == {"NSH"}
        running = rewards_for(user=county.county_user, year=2027)
        assert running.provisional and running.cutoff == TODAY and running.lines == ()
        for bad in (2028, 1800):
            with pytest.raises(RewardError):
                rewards_for(user=county.county_user, year=bad)


def test_page_excel_and_api(county, client):
    with pinned_business_date(TODAY):
        client.force_login(county.county_user)
        page = client.get("/monitoring/rewards/", {"year": "2026"})
        assert page.status_code == 200
        text = page.content.decode()
        assert "奖补资金" in text and "东关村" in text and "700.01" in text and "<select name=\"year\">" in text
        assert client.get("/monitoring/rewards/").status_code == 200  # default: last year
        for bad in ("abc", "1800", "9" * 400):
            assert client.get("/monitoring/rewards/", {"year": bad}).status_code == 400
        xlsx = client.get("/monitoring/rewards/export/", {"year": "2026"})
        assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
        api = client.get("/api/v1/monitoring/rewards", {"year": "2026"})
        assert api.status_code == 200, api.content
        body = api.json()
        assert (body["amount"], body["leading_group"], body["disbursed"]) == ("700.01", "70.01", "65000.50")
        line = next(x for x in body["lines"] if x["village"] == "411224100001" and x["bank"] == "XYS")
        assert (line["amount"], line["township_share"], line["leading_group_share"], line["recovery_rate"]) == \
            ("100.01", "30.00", "10.01", "1.0000")
        for bad in ("abc", "1800", "2028", "9" * 400):
            r = client.get("/api/v1/monitoring/rewards", {"year": bad})
            assert r.status_code == 422 and r.json()["field"] == "year"
        client.force_login(make_user("village_station", scope_regions=["411224100001"]))
        assert client.get("/monitoring/rewards/").status_code == 403
        assert client.get("/api/v1/monitoring/rewards").status_code == 403
