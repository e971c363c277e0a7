"""Phone-first pages (issue #11 §1) on the demo county at test scale, in headless Chromium.

At 390 × 844 no page and no table is wider than the screen on every page of the village clerk's
and the county office's menus and on the clerk's day (find a household, open it, start an
application, the to-do list); axe-core (vendored in tests/e2e/vendor, injected by Playwright, the
page's CSP bypassed for it) finds no serious or critical violation on the main pages at phone
and desktop widths. The demo is generated per test (about 2 s at test scale): the live server
needs a transactional database, which is flushed after each test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from microcredit.demo.runner import generate
from microcredit.demo.scales import SCALES

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
TOO_WIDE = """() => {
  const w = window.innerWidth, out = [];
  if (document.documentElement.scrollWidth > w) out.push(`page ${document.documentElement.scrollWidth} > ${w}`);
  document.querySelectorAll("table").forEach((t, i) => {
    const right = t.getBoundingClientRect().right;
    if (right > w + 0.5) out.push(`table ${t.id || i} right ${right} > ${w}`);
  });
  return out;
}"""
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")}`);
}"""


@pytest.fixture
def demo():
    return generate(seed=1, scale=SCALES["test"])


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, bypass_csp=True)  # CSP would refuse axe's inline script
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _fits(page) -> None:
    page.wait_for_load_state("load")
    assert page.evaluate(TOO_WIDE) == [], page.url


def _menu_links(page) -> list[str]:
    return page.eval_on_selector_all(".site-header .menus ul a[href]", "links => links.map(a => a.href)")


def _first_household_pk(username: str, ctx) -> int:
    from microcredit.apps.households.models import Household

    prefix = ctx.users[username].scope_regions[0]
    return Household.objects.filter(region_code__startswith=prefix).order_by("number").values_list("pk", flat=True)[0]


@pytest.mark.parametrize("username", ["village", "county"])
def test_every_menu_page_fits_a_phone(live_server, phone, login, demo, username):
    login(phone, username)
    _fits(phone)
    links = _menu_links(phone)
    assert len(links) >= 5
    for url in links:
        phone.goto(url)
        _fits(phone)
    # the menu is a drawer: closed, it takes one row; the 「☰ 菜单」 button opens it
    expect(phone.locator(".site-header .menus")).to_be_hidden()
    phone.click("label.nav-toggle-label")
    expect(phone.locator(".site-header .menus")).to_be_visible()
    _fits(phone)


def test_village_clerk_day_on_a_phone(live_server, phone, login, demo):
    url = live_server.url
    login(phone, "village")
    phone.click("label.nav-toggle-label")
    phone.locator(".site-header .menus summary", has_text="档案").click()
    phone.locator(".site-header .menus").get_by_role("link", name="农户档案").click()
    # the filters fold behind 「筛选」; the list is cards with their key fields, the rest on 「更多」
    form = phone.locator("form.filters")
    expect(form).to_be_hidden()
    phone.click("details.filters-fold > summary")
    expect(form).to_be_visible()
    head = phone.locator("#household-list tbody tr").first.locator("td").nth(3).inner_text()
    phone.fill("form.filters input[name=q]", head)
    phone.click("form.filters button[type=submit]")
    card = phone.locator("#household-list tbody tr").first
    expect(card).to_contain_text(head)
    id_cell = card.locator("td[data-label=户主身份证号]")
    expect(id_cell).to_be_hidden()
    card.locator("td.card-more button").click()
    expect(id_cell).to_be_visible()
    _fits(phone)
    assert card.locator("a").first.bounding_box()["height"] >= 44
    # the household, then a new application for it
    card.locator("a").first.click()
    expect(phone.locator("h1")).to_contain_text(head)
    _fits(phone)
    phone.locator("a", has_text="申请贷款").click()  # text= would match the menu's list (贷款申请, 贷款台账)
    expect(phone.locator("form")).not_to_have_count(0)
    _fits(phone)
    # what awaits the clerk
    phone.goto(f"{url}/todo/")
    _fits(phone)


def test_main_pages_have_no_serious_accessibility_violations(live_server, phone, login, demo):
    hh = _first_household_pk("village", demo)
    pages = ["/", "/households/", f"/households/{hh}/", "/loans/", f"/origination/new/{hh}/", "/todo/"]
    login(phone, "village")
    found = {}
    for viewport in (PHONE, DESKTOP):
        phone.set_viewport_size(viewport)
        for path in pages:
            phone.goto(f"{live_server.url}{path}")
            phone.add_script_tag(path=str(AXE))
            violations = phone.evaluate(AXE_RUN)
            if violations:
                found[f"{viewport['width']} {path}"] = violations
    assert found == {}
