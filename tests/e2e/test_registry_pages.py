"""Browser story: a county-office user logs in, sees the dashboard panel with its chart, filters
the household list by village and opens a household with its members (headless Chromium)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import make_household, make_region_tree, make_user


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_county_officer_browses_dashboard_list_and_household(live_server, page):
    tree = make_region_tree()
    target = make_household(tree.villages[1], head_name="赵大山", members=2)
    make_household(tree.villages[0], head_name="钱小河")
    make_household(tree.villages[2], head_name="孙东坡", status="exited")
    make_user("county_office", scope_regions=[tree.county.prefix], username="county", password="pw-test-123")

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "county")
    page.fill("input[name=password]", "pw-test-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    # the dashboard shows the township × status table and an ECharts canvas
    table = page.locator("#households-by-status")
    expect(table).to_contain_text("城关镇")
    expect(table).to_contain_text("东明镇")
    expect(page.locator("div.chart canvas").first).to_be_attached()

    # the list, filtered by a village
    page.goto(f"{live_server.url}/households/")
    page.select_option("select[name=village]", tree.villages[1].code)
    page.click("form.filters button[type=submit]")
    rows = page.locator("#household-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("赵大山")

    # one household with its members
    page.click("#household-list >> text=赵大山")
    expect(page.locator("h1")).to_contain_text("赵大山")
    members = page.locator("#members tbody tr")
    expect(members).to_have_count(3)
    expect(page.locator("#members")).to_contain_text("户主")
    expect(page.locator("#members")).to_contain_text(target.head_id_number)
