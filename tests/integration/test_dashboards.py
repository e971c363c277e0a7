"""The monitoring pages (issue #12 items 1 and 8): 监测总览 with its drill-down county → township →
village → household → loan, 风险预警 with the lists to act on, the ranking 周点评/月通报 — figures on a
small hand-built portfolio after a close, scope (a township user cannot open another township: 404),
hostile parameters (a Chinese 400, never a 500), and a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.monitoring.close import run_close
from tests.batch.portfolio import County
from tests.factories import make_bank, make_user

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)
MONTH_END = dt.date(2026, 5, 31)


@pytest.fixture
def county():
    """城关镇 东关村: one loan overdue since 2026-01-10 (红灯, 次级); 城关镇 西关村: a new loan (绿灯);
    东明镇 东明村: a bullet loan due 2026-07-01 (黄灯); 东明镇 南沟村: a new loan (绿灯)."""
    with pinned_business_date(TODAY):
        c = County()
        c.bad = c.loan(village=0, method="bullet", months=12, disbursed=dt.date(2025, 1, 10), principal=100000)
        c.good = c.loan(village=1, months=36, disbursed=dt.date(2026, 5, 1), principal=5000000)
        c.soon = c.loan(village=2, method="bullet", months=12, disbursed=dt.date(2025, 7, 1), principal=2000000)
        c.other = c.loan(village=3, months=36, disbursed=dt.date(2026, 5, 20), principal=3000000)
        run_close(MONTH_END)
        run_close(TODAY)
        yield c


def html(response) -> str:
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()


def hrefs(text: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', text)]


def test_overview_figures_and_drill_down_to_the_loan(client, county):
    tree = county.tree
    client.force_login(county.county_user)
    with pinned_business_date(TODAY):
        page = html(client.get("/monitoring/overview/"))
        assert "卢氏县" in page and "2026-06-01" in page
        kpis = page[page.index('id="kpis"'):page.index("</section>")]
        assert "101000.00" in kpis  # 1,000 + 50,000 + 20,000 + 30,000 元
        assert "4 / 4" in kpis
        assert "0.99%" in kpis  # 逾期率 = 不良率 = 1,000 ÷ 101,000 (domain.indicators, half-up)
        # the townships, each a link one level down
        township = tree.townships[0].prefix
        link = next(h for h in hrefs(page) if h.endswith(f"region={township}"))
        assert "城关镇" in page and "东明镇" in page
        page = html(client.get(link))
        assert "城关镇" in page and "东关村" in page and "西关村" in page and "东明村" not in page
        kpis = page[page.index('id="kpis"'):page.index("</section>")]
        assert "51000.00" in kpis and "1.96%" in kpis
        village = tree.villages[0].code
        link = next(h for h in hrefs(page) if h.endswith(f"region={village}"))
        page = html(client.get(link))
        assert 'id="village-loans"' in page
        assert f"/households/{county.bad.household_id}/" in page and f"/loans/{county.bad.pk}/" in page
        assert f"/loans/{county.good.pk}/" not in page  # another village's loan
        assert client.get(f"/households/{county.bad.household_id}/").status_code == 200
        assert client.get(f"/loans/{county.bad.pk}/").status_code == 200


def test_classification_lights_and_flows(client, county):
    client.force_login(county.county_user)
    with pinned_business_date(TODAY):
        page = html(client.get("/monitoring/overview/"))
    classes = page[page.index('id="chart-classes"'):]
    classes = classes[:classes.index("</ul>")]
    assert "次级" in classes and "1000.00" in classes and "classification=substandard" in classes
    lights = page[page.index('id="chart-lights"'):]
    lights = lights[:lights.index("</ul>")]
    assert re.search(r"红灯.*?1 笔.*?黄灯.*?1 笔.*?绿灯.*?2 笔", lights, re.S)
    flows = page[page.index('id="chart-flows"'):]
    flows = flows[:flows.index("</ul>")]
    assert "2026-05" in flows and "80000.00" in flows  # 50,000 + 30,000 disbursed in May
    assert "2025-07" in flows and "20000.00" in flows


def test_month_end_date_and_bank_filter(client, county):
    client.force_login(county.county_user)
    with pinned_business_date(TODAY):
        page = html(client.get(f"/monitoring/overview/?date={MONTH_END}"))
        assert 'selected>2026-05-31' in page
        page = html(client.get(f"/monitoring/overview/?bank={county.bank.pk}"))
        assert "101000.00" in page
        other = make_bank("ICBC", "工商银行")
        page = html(client.get(f"/monitoring/overview/?bank={other.pk}"))
        kpis = page[page.index('id="kpis"'):page.index("</section>")]
        assert "0.00" in kpis and "101000.00" not in kpis


def test_lights_lists_to_act_on(client, county):
    client.force_login(county.county_user)
    with pinned_business_date(TODAY):
        page = html(client.get("/monitoring/lights/"))
        counts = page[page.index('id="light-children"'):]
        assert "城关镇" in counts and "东明镇" in counts
        table = page[page.index('id="act-list"'):]
        assert county.bad.number in table and county.soon.number not in table
        assert "东关村" in table and "142" in table  # days past due since 2026-01-10
        page = html(client.get("/monitoring/lights/?list=yellow"))
        table = page[page.index('id="act-list"'):]
        assert county.soon.number in table and county.bad.number not in table and "2026-07-01" in table
        # drill: the other township has no red loan
        page = html(client.get(f"/monitoring/lights/?region={county.tree.townships[1].prefix}"))
        assert county.bad.number not in page[page.index('id="act-list"'):]


def test_ranking(client, county):
    client.force_login(county.county_user)
    with pinned_business_date(TODAY):
        page = html(client.get(f"/monitoring/ranking/?date={MONTH_END}"))
    table = page[page.index('id="rank-regions"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<tr data-code="(\d+)">', table)
    assert rows == [county.tree.townships[0].prefix, county.tree.townships[1].prefix]  # 50,000 vs 30,000 in May
    assert "高于县线" in table and "不高于县线" in table
    assert 'id="rank-banks"' in page and county.bank.short_name in page
    with pinned_business_date(TODAY):
        assert html(client.get("/monitoring/ranking/?period=week")).count("<tr data-code") >= 2


def test_scope_township_user_starts_at_its_township_and_cannot_open_another(client, county):
    tree = county.tree
    user = make_user("township_station", scope_regions=[tree.townships[0].prefix])
    client.force_login(user)
    with pinned_business_date(TODAY):
        page = html(client.get("/monitoring/overview/"))
        assert "城关镇" in page and "东明镇" not in page
        for url in ("overview", "lights", "ranking"):
            assert client.get(f"/monitoring/{url}/?region={tree.townships[1].prefix}").status_code == 404
            assert client.get(f"/monitoring/{url}/?region={tree.county.prefix}").status_code == 404
        assert client.get(f"/monitoring/overview/?region={tree.villages[2].code}").status_code == 404


def test_bank_user_sees_its_banks_figures(client, county):
    other = make_bank("ICBC", "工商银行")
    user = make_user("bank_officer", scope_regions=[county.tree.county.prefix], bank=other)
    client.force_login(user)
    with pinned_business_date(TODAY):
        page = html(client.get(f"/monitoring/overview/?bank={county.bank.pk}"))  # the param cannot widen it
    assert "101000.00" not in page and county.bad.number not in page


@pytest.mark.parametrize("query", [
    "region=abc", "region=4112241", "region=" + "9" * 40, "date=2026-13-01", "date=1900-01-01",
    "date=2026-05-15", "bank=x", "bank=999999", "list=purple", "period=year", "page=-1",
])
def test_hostile_params_get_a_chinese_message(client, county, query):
    client.force_login(county.county_user)
    with pinned_business_date(TODAY):
        for url in ("overview", "lights", "ranking"):
            r = client.get(f"/monitoring/{url}/?{query}")
            assert r.status_code in (200, 400, 404), (url, query, r.status_code)
            if r.status_code == 400:
                assert re.search(r"[\u4e00-\u9fff]", r.content.decode())


def test_unknown_region_is_404_and_village_ranking_is_refused(client, county):
    client.force_login(county.county_user)
    with pinned_business_date(TODAY):
        assert client.get("/monitoring/overview/?region=411224999").status_code == 404
        r = client.get(f"/monitoring/ranking/?region={county.tree.villages[0].code}")
        assert r.status_code == 400 and "村一级没有排名" in r.content.decode()


def test_people_without_the_permission_are_refused(client, county):
    client.force_login(make_user("village_station", scope_regions=[county.tree.villages[0].prefix]))
    assert client.get("/monitoring/overview/").status_code == 403


def test_dashboard_panel_links_into_the_pages(client, county):
    client.force_login(county.county_user)
    with pinned_business_date(TODAY):
        page = html(client.get("/"))
    assert "/monitoring/overview/" in page and "/monitoring/lights/" in page and "/monitoring/ranking/" in page


def test_a_handful_of_queries(client, county):
    """Pages read the aggregate rows and grouped queries: the count does not grow with the loans (the
    bound includes the page's frame — session, permissions, the to-do badge's sources)."""
    client.force_login(county.county_user)
    counts = {}
    with pinned_business_date(TODAY):
        for url in ("overview", "lights", "ranking"):
            client.get(f"/monitoring/{url}/")  # warm the session
            with CaptureQueriesContext(connection) as ctx:
                html(client.get(f"/monitoring/{url}/"))
            counts[url] = len(ctx)
        for v in range(4):
            for _ in range(3):
                county.loan(village=v, months=36, disbursed=dt.date(2026, 5, 25), principal=100000)
        run_close(TODAY)
        for url in ("overview", "lights", "ranking"):
            with CaptureQueriesContext(connection) as ctx:
                html(client.get(f"/monitoring/{url}/"))
            assert len(ctx) == counts[url], (url, counts[url], len(ctx))
            assert len(ctx) <= 50, (url, len(ctx))
