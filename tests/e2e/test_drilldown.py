"""The drill-down of 监测总览 in the browser (issue #12 §8, tests that must exist): the county office
follows the risk from the county to a township, a village, the household and its loan, at 390 px
(a phone: no page or table wider than the screen) and on a desktop. A small hand-built portfolio
after a close; the live server needs a transactional database."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.monitoring.close import run_close
from tests.batch.portfolio import County
from tests.e2e.test_phone_layout import DESKTOP, PHONE, TOO_WIDE
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def county():
    with pinned_business_date(TODAY):
        c = County()
        c.bad = c.loan(village=0, method="bullet", months=12, disbursed=dt.date(2025, 1, 10), principal=100000)
        c.loan(village=1, months=36, disbursed=dt.date(2026, 5, 1), principal=5000000)
        c.loan(village=2, method="bullet", months=12, disbursed=dt.date(2025, 7, 1), principal=2000000)
        run_close(TODAY)
        c.viewer = make_user("county_office", scope_regions=[c.tree.county.prefix], username="county-e2e",
                             password="demo")
        yield c


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_county_to_township_to_village_to_household_to_loan(live_server, browser, login, county, viewport):
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15000)
    tree, loan = county.tree, county.bad
    with pinned_business_date(TODAY):
        login(page, "county-e2e", "demo")
        page.goto(f"{live_server.url}/monitoring/overview/")
        expect(page.locator("h1")).to_contain_text("卢氏县")
        expect(page.locator("#kpis")).to_contain_text("71000.00")
        assert page.evaluate(TOO_WIDE) == []

        page.locator("#children").get_by_role("link", name=tree.townships[0].name).first.click()
        page.wait_for_url(f"**region={tree.townships[0].prefix}*")
        expect(page.locator("h1")).to_contain_text(tree.townships[0].name)
        expect(page.locator("#kpis")).to_contain_text("51000.00")
        assert page.evaluate(TOO_WIDE) == []

        page.locator("#children").get_by_role("link", name=tree.villages[0].name).first.click()
        page.wait_for_url(f"**region={tree.villages[0].code}*")
        expect(page.locator("h1")).to_contain_text(tree.villages[0].name)
        rows = page.locator("#village-loans tbody tr")
        expect(rows).to_have_count(1)
        assert page.evaluate(TOO_WIDE) == []

        rows.first.get_by_role("link", name=loan.household.head_name).click()
        page.wait_for_url(f"{live_server.url}/households/{loan.household_id}/")
        expect(page.locator("h1")).to_contain_text(loan.household.head_name)
        page.go_back()
        page.locator("#village-loans").get_by_role("link", name=loan.number).click()
        page.wait_for_url(f"{live_server.url}/loans/{loan.pk}/")
        expect(page.locator("body")).to_contain_text(loan.number)

        # the red light list leads to the same loan
        page.goto(f"{live_server.url}/monitoring/lights/")
        page.locator("#act-list").get_by_role("link", name=loan.number).click()
        page.wait_for_url(f"{live_server.url}/loans/{loan.pk}/")
    context.close()
