"""Browser story: one application from the village clerk to the bank officer, five logins.

The village clerk enters the application (with an ID card scan) and submits it; a second village
login gives the village first review (segregation of duties: nobody approves what they submitted);
the township station and the county office approve from their to-do lists (the header's 「待办」);
the bank officer approves, signs and disburses to a valid card number, and sees the contract with
the loan's schedule.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from microcredit.apps.core.clock import pinned_business_date
from tests.factories import make_bank, make_household, make_region_tree, make_user, next_id_number

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
DAY = dt.date(2026, 3, 2)
PW = "pw-test-123"


def _approve(page, expect_state):
    from playwright.sync_api import expect

    page.click("button[name=action][value=approve]")
    expect(page.locator("#app-state")).to_have_text(expect_state)


def test_application_from_village_clerk_to_bank_officer(live_server, page, login):
    from playwright.sync_api import expect

    from microcredit.apps.rating.models import Rating, RatingStatus
    from microcredit.apps.rating.selectors import scorecard_for

    tree = make_region_tree()
    village = tree.villages[0]
    hh = make_household(village, head_name="马小军", members=1,
                        head_id_number=next_id_number(born=dt.date(1982, 6, 1)))
    Rating.objects.create(household=hh, region_code=hh.region_code, scorecard=scorecard_for("411224", ""),
                          grade="AAA", credit_limit=4_000_000, status=RatingStatus.EFFECTIVE,
                          valid_from=dt.date(2025, 6, 1), valid_until=dt.date(2028, 6, 1))
    bank = make_bank()
    make_user("village_station", [village.prefix], username="cun", password=PW)
    make_user("village_station", [village.prefix], username="cun2", password=PW)
    make_user("township_station", [tree.townships[0].prefix], username="xiang", password=PW)
    make_user("county_office", [tree.county.prefix], username="xian", password=PW)
    make_user("bank_officer", [tree.county.prefix], bank=bank, username="yinhang", password=PW)
    url = live_server.url

    with pinned_business_date(DAY):
        # 1. village clerk: enter, check, submit
        login(page, "cun", PW)
        page.goto(f"{url}/origination/new/{hh.pk}/")
        page.select_option("select[name=bank]", str(bank.pk))
        page.fill("input[name=amount]", "30000")
        page.fill("input[name=term_months]", "36")
        page.fill("input[name=purpose]", "养殖滩羊20只")
        page.set_input_files("input[name=id_card]", files=[
            {"name": "id.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n0000"}])
        page.click("main button[type=submit]")
        expect(page.locator("#app-state")).to_have_text("户申请（待提交）")
        detail_url = page.url
        page.click("button[name=action][value=submit]")
        expect(page.locator("#app-state")).to_have_text("村初审")

        # 1b. another village login: the village first review
        login(page, "cun2", PW)
        page.goto(detail_url)
        _approve(page, "乡审核")

        # 2. township station: from the to-do list
        login(page, "xiang", PW)
        page.click("#todo-link")
        page.click("#todo-list a")
        _approve(page, "县复查")

        # 3. county office
        login(page, "xian", PW)
        page.click("#todo-link")
        page.click("#todo-list a")
        _approve(page, "银行审定")

        # 4. bank officer: approve, sign and disburse, see the contract and schedule
        login(page, "yinhang", PW)
        page.click("#todo-link")
        page.click("#todo-list a")
        _approve(page, "已审定待放款")
        page.click("text=签约放款")
        page.fill("input[name=account_number]", "6217 0000 1000 1234 569")
        page.select_option("select[name=method]", "interest_quarterly")
        page.click("main button[type=submit]")
        expect(page.locator("#loan-number")).to_have_text(re.compile(r"^NSH20260302\d{5}$"))
        expect(page.locator("#schedule tbody tr")).to_have_count(13)
        expect(page.locator("#schedule tbody tr").last).to_contain_text("30000.00")
        page.goto(detail_url)
        expect(page.locator("#app-state")).to_have_text("已放款")
        expect(page.locator("#transitions tbody tr")).to_have_count(6)

    from microcredit.apps.audit.models import AuditEntry
    actions = set(AuditEntry.objects.filter(household_id=hh.pk).values_list("action", flat=True))
    assert {"application.create", "application.submit", "application.approve", "loan.disburse"} <= actions
