"""年度放贷目标 (issue #12 item 8): the page and API set and read a year's targets (county office and admin only,
hostile input a Chinese 4xx, never a 500); the ranking 周点评/月通报 shows each row's target, 累计新增 and
计划完成率 against the time progress; the domain's completion ratio."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from decimal import Decimal

import pytest

from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.monitoring.close import run_close
from microcredit.apps.monitoring.models import LendingTarget
from microcredit.apps.regions.models import Region
from microcredit.demo.context import DemoContext
from microcredit.demo.scales import SCALES
from microcredit.demo.targets import create_targets
from microcredit.domain.indicators import completion_rate, ratio, year_elapsed
from tests.batch.portfolio import County
from tests.factories import make_user

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)
MONTH_END = dt.date(2026, 5, 31)
URL = "/api/v1/monitoring/targets"
PAGE = "/monitoring/targets/"


@pytest.fixture
def county():
    """城关镇: 50,000 元 lent on 2026-05-01 (and a 2025 loan); 东明镇: 30,000 元 on 2026-05-20 (and a 2025 loan)."""
    with pinned_business_date(TODAY):
        c = County()
        c.loan(village=0, method="bullet", months=12, disbursed=dt.date(2025, 1, 10), principal=100000)
        c.loan(village=1, months=36, disbursed=dt.date(2026, 5, 1), principal=5000000)
        c.loan(village=2, method="bullet", months=12, disbursed=dt.date(2025, 7, 1), principal=2000000)
        c.loan(village=3, months=36, disbursed=dt.date(2026, 5, 20), principal=3000000)
        run_close(MONTH_END)
        run_close(TODAY)
        yield c


def put(client, body, **query):
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return client.put(f"{URL}?{qs}", data=json.dumps(body), content_type="application/json")


# ---- the domain rule --------------------------------------------------------------------------------


def test_completion_rate_and_time_progress():
    assert completion_rate(8_000_000, 30_000_000) == Decimal("0.2667")  # 0.26666… half-up
    assert completion_rate(5_000_000, 20_000_000) == Decimal("0.2500")
    assert completion_rate(3, 2) == Decimal("1.5000")  # over the target
    assert completion_rate(1, 0) is None and completion_rate(1, None) is None  # 未设定
    assert completion_rate(1, 8) == ratio(1, 8)  # the one ratio rounding
    assert year_elapsed(dt.date(2026, 5, 31)) == Decimal("0.4137")  # 151 / 365
    assert year_elapsed(dt.date(2024, 12, 31)) == Decimal("1.0000")  # leap year: 366 / 366
    assert year_elapsed(dt.date(2026, 1, 1)) == Decimal("0.0027")  # 1 / 365
    with pytest.raises(TypeError):
        completion_rate(1.5, 10)  # type: ignore[arg-type]


# ---- API ----------------------------------------------------------------------------------------------


def test_api_sets_and_reads_targets_audited(client, county):
    tree = county.tree
    client.force_login(county.county_user)
    with pinned_business_date(TODAY):
        r = client.get(URL, {"year": "2026"})
        assert r.status_code == 200, r.content
        body = r.json()
        assert body["county"] == "411224" and body["county_target"] is None
        assert [t["target"] for t in body["townships"]] == [None, None]
        r = put(client, {"county_target": "300000", "townships": [{"code": tree.townships[0].prefix, "target": "200000.00"}],
                         "banks": [{"code": county.bank.code, "target": "320000.5"}]}, year=2026)
        assert r.status_code == 200, r.content
        body = r.json()
        assert body["county_target"] == "300000.00"
        assert body["townships"][0]["target"] == "200000.00" and body["townships"][1]["target"] is None
        assert body["banks"][0]["target"] == "320000.50"
    assert LendingTarget.objects.get(year=2026, region_code=tree.townships[0].prefix, bank=None).amount == 20_000_000
    assert AuditEntry.objects.filter(action="target.set").count() == 3
    with pinned_business_date(TODAY):  # null removes; the same amount again changes nothing
        r = put(client, {"townships": [{"code": tree.townships[0].prefix, "target": None}],
                         "banks": [{"code": county.bank.code, "target": "320000.50"}]}, year=2026)
        assert r.status_code == 200 and r.json()["townships"][0]["target"] is None
        assert r.json()["county_target"] == "300000.00"  # not in the body: left alone
    assert AuditEntry.objects.filter(action="target.clear").count() == 1
    assert AuditEntry.objects.filter(action="target.set").count() == 3
    with pinned_business_date(TODAY):
        assert client.get(URL, {"year": "2027"}).json()["county_target"] is None  # per year


def test_township_user_and_bank_user_cannot_set_or_read(client, county):
    tree = county.tree
    for user in (make_user("township_station", scope_regions=[tree.townships[0].prefix]), county.officer):
        client.force_login(user)
        with pinned_business_date(TODAY):
            assert client.get(URL).status_code == 403
            r = put(client, {"townships": [{"code": tree.townships[0].prefix, "target": "1"}]})
            assert r.status_code == 403 and "无权" in r.json()["detail"]
            assert client.get(PAGE).status_code == 403
            assert client.post(PAGE, {"year": "2026", "county": "411224"}).status_code == 403
    assert not LendingTarget.objects.exists()


def test_other_county_is_404_and_its_townships_422(client, county):
    city = Region.objects.get(code="411200000000")
    other = Region.objects.create(code="411225000000", name="外县", level="county", parent=city)
    Region.objects.create(code="411225100000", name="外乡", level="township", parent=other)
    client.force_login(county.county_user)
    with pinned_business_date(TODAY):
        assert client.get(URL, {"county": "411225"}).status_code == 404
        assert put(client, {"county_target": "1"}, county="411225").status_code == 404
        assert client.get(PAGE, {"county": "411225"}).status_code == 404
        r = put(client, {"townships": [{"code": "411225100", "target": "100"}]}, year=2026)
        assert r.status_code == 422 and "不是本县" in r.json()["detail"]
    admin = make_user("admin")
    client.force_login(admin)
    with pinned_business_date(TODAY):
        r = put(client, {"townships": [{"code": "411225100", "target": "100"}]}, year=2026, county="411225")
        assert r.status_code == 200 and r.json()["townships"][0]["target"] == "100.00"
    assert not LendingTarget.objects.filter(region_code__startswith="411224").exists()


@pytest.mark.parametrize("body", [
    {"county_target": "-1"}, {"county_target": "1.234"}, {"county_target": "1e30"}, {"county_target": "NaN"},
    {"county_target": "Infinity"}, {"county_target": "abc"}, {"county_target": "9" * 40}, {"county_target": -5},
    {"townships": [{"code": "411224100", "target": "1"}, {"code": "411224101", "target": "0x10"}]},
    {"townships": [{"code": "x" * 9, "target": "1"}]},
    {"townships": [{"code": "411224", "target": "1"}]},  # the county is county_target, not a township
    {"banks": [{"code": "NOPE", "target": "1"}]},
])
def test_hostile_amounts_and_codes_are_chinese_422(client, county, body):
    client.force_login(county.county_user)
    with pinned_business_date(TODAY):
        r = put(client, body, year=2026)
    assert r.status_code == 422, r.content
    assert re.search(r"[\u4e00-\u9fff]", r.json()["detail"])
    assert not LendingTarget.objects.exists()


@pytest.mark.parametrize("body", [
    {"townships": [{"code": "4112241000" + "0" * 200, "target": "1"}]},
    {"townships": [{"code": "411224100", "target": "1"}] * 600},
    {"banks": "many"}, {"county_target": "1" * 100}, {"townships": [{"target": "1"}]},
])
def test_malformed_bodies_are_422_never_500(client, county, body):
    client.force_login(county.county_user)
    with pinned_business_date(TODAY):
        assert put(client, body, year=2026).status_code == 422
    assert not LendingTarget.objects.exists()


@pytest.mark.parametrize("year", ["abcd", "1800", "99999", "2026x", "２０２６", "-202", "1" * 500])
def test_hostile_years_are_chinese_422_or_400(client, county, year):
    client.force_login(county.county_user)
    with pinned_business_date(TODAY):
        r = client.get(URL, {"year": year})
        assert r.status_code == 422 and "年度" in r.json()["detail"]
        assert put(client, {"county_target": "1"}, year=year).status_code == 422
        page = client.get(PAGE, {"year": year})
        assert page.status_code == 400 and "年度" in page.content.decode()


# ---- the page ---------------------------------------------------------------------------------------------


def test_page_sets_targets_and_refuses_bad_amounts(client, county):
    tree = county.tree
    client.force_login(county.county_user)
    t0, t1 = tree.townships[0].prefix, tree.townships[1].prefix
    with pinned_business_date(TODAY):
        page = client.get(PAGE)
        assert page.status_code == 200 and "年度放贷目标" in page.content.decode()
        assert f'name="t_{t0}"' in page.content.decode() and f'name="b_{county.bank.pk}"' in page.content.decode()
        r = client.post(PAGE, {"year": "2026", "county": "411224", "total": "", f"t_{t0}": "200000",
                               f"t_{t1}": "", f"b_{county.bank.pk}": "320000"})
        assert r.status_code == 302
        assert dict(LendingTarget.objects.filter(bank=None).values_list("region_code", "amount")) == {t0: 20_000_000}
        r = client.post(PAGE, {"year": "2026", "county": "411224", f"t_{t0}": "-5", f"t_{t1}": "1.234",
                               f"b_{county.bank.pk}": "x" * 100})
        assert r.status_code == 400
        assert re.search(r"[\u4e00-\u9fff]", r.content.decode())
        assert LendingTarget.objects.get(region_code=t0, bank=None).amount == 20_000_000  # nothing changed
        shown = client.get(PAGE, {"year": "2026"}).content.decode()
        assert 'value="200000.00"' in shown


# ---- the ranking ------------------------------------------------------------------------------------------


def _row(table: str, code) -> str:
    start = table.index(f'<tr data-code="{code}">')
    return table[start:table.index("</tr>", start)]


def test_ranking_shows_target_year_new_and_completion(client, county):
    tree = county.tree
    t0, t1 = tree.townships[0].prefix, tree.townships[1].prefix
    LendingTarget.objects.create(year=2026, region_code="411224", amount=30_000_000)  # 300,000 元
    LendingTarget.objects.create(year=2026, region_code=t0, amount=20_000_000)  # 200,000 元
    LendingTarget.objects.create(year=2026, region_code="411224", bank=county.bank, amount=32_000_000)
    LendingTarget.objects.create(year=2025, region_code=t1, amount=1_000_000)  # another year: not shown
    client.force_login(county.county_user)
    with pinned_business_date(TODAY):
        r = client.get(f"/monitoring/ranking/?date={MONTH_END}")
    assert r.status_code == 200, r.content.decode()[:500]
    page = r.content.decode()
    line = page[page.index('id="target-line"'):]
    line = line[:line.index("</p>")]
    # the county: 300,000 target; 累计新增 50,000 + 30,000 = 80,000 (the 2025 loans do not count) → 26.67 %;
    # time progress on 2026-05-31: 151 / 365 = 41.37 %
    assert "300,000.00" in line or "300000.00" in line
    assert "26.67%" in line and "41.37%" in line
    regions = page[page.index('id="rank-regions"'):]
    regions = regions[:regions.index("</table>")]
    first = _row(regions, t0)
    assert "25.00%" in first and '<span class="above">25.00%</span>' in first  # 50,000 / 200,000, behind 41.37 %
    assert re.search(r"200,?000\.00", first) and re.search(r"50,?000\.00", first)
    second = _row(regions, t1)
    assert "未设定" in second and re.search(r"30,?000\.00", second)
    banks = page[page.index('id="rank-banks"'):]
    banks = banks[:banks.index("</table>")]
    bank_row = _row(banks, county.bank.pk)
    assert "25.00%" in bank_row and re.search(r"320,?000\.00", bank_row)  # 80,000 / 320,000


def test_ranking_without_targets_says_not_set(client, county):
    client.force_login(county.county_user)
    with pinned_business_date(TODAY):
        page = client.get("/monitoring/ranking/").content.decode()
    regions = page[page.index('id="rank-regions"'):]
    regions = regions[:regions.index("</table>")]
    assert regions.count("未设定") == 2
    assert "时间进度" in page


def test_demo_step_sets_the_demo_countys_targets(county):
    tree = county.tree
    ctx = DemoContext(seed=1, rng=random.Random(1), scale=SCALES["test"], business_date=TODAY)
    ctx.counties, ctx.townships, ctx.banks = [tree.county], list(tree.townships), [county.bank]
    ctx.users = {"c": county.county_user}
    with pinned_business_date(TODAY):
        create_targets(ctx)
    rows = dict(LendingTarget.objects.filter(year=2026, bank=None).values_list("region_code", "amount"))
    assert set(rows) == {"411224", tree.townships[0].prefix, tree.townships[1].prefix}
    assert rows["411224"] == rows[tree.townships[0].prefix] + rows[tree.townships[1].prefix]
    assert all(v % 1_000_000 == 0 and v >= 100_000_000 for v in rows.values())
    assert LendingTarget.objects.filter(year=2026, bank=county.bank).exists()
