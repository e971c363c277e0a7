"""The to-do list 待办 on a 390 × 844 phone (issue #11 §2): the village clerk finds it in the header
without opening the menu, its count in the badge, and the page — one card per item, overdue ones
first and marked 已超时 in orange — fits the screen without sideways scrolling. The demo county at
test scale, generated per test (see test_phone_layout.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from microcredit.demo.runner import generate
from microcredit.demo.scales import SCALES
from tests.e2e.test_phone_layout import PHONE, TOO_WIDE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    return generate(seed=1, scale=SCALES["test"])


def test_village_clerk_sees_the_todo_list_on_a_phone(live_server, browser, login, demo):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    phone = context.new_page()
    phone.set_default_timeout(15000)
    login(phone, "village")
    link = phone.locator("#todo-link")
    expect(link).to_be_visible()  # in the header, not behind 「☰ 菜单」
    assert link.bounding_box()["height"] >= 44
    count = int(link.locator(".badge").inner_text())
    assert count >= 1
    link.click()
    phone.wait_for_url(f"{live_server.url}/todo/")
    expect(phone.locator("h1")).to_have_text("待办")
    cards = phone.locator("#todo-list tbody tr")
    expect(cards).to_have_count(count)
    expect(cards.first.locator("a")).to_be_visible()  # the item, its kind, step and time limit on the card
    expect(cards.first.locator("td").nth(3)).to_be_visible()
    flags = ["overdue" in (row.get_attribute("class") or "").split() for row in cards.all()]
    assert flags == sorted(flags, reverse=True)  # overdue first
    if flags[0]:
        late = cards.first.locator(".late")
        expect(late).to_have_text("已超时")
        assert late.evaluate("e => getComputedStyle(e).color") == "rgb(168, 67, 0)"  # orange, not the red of errors
    phone.wait_for_load_state("load")
    assert phone.evaluate(TOO_WIDE) == []
    # the old 待我审批 address leads here
    phone.goto(f"{live_server.url}/origination/inbox/")
    phone.wait_for_url(f"{live_server.url}/todo/")
    context.close()
