"""The household portal on a 390 × 844 phone (issue #14 "Tests that must exist"), in headless Chromium
against the live server, on the demo county at test scale (generated per test, see test_phone_layout.py).

A demo household (``ctx.extra["portal"]``) signs in with its mobile number and the code read from the SMS
outbox file, opens 我的贷款 and reads the next due date and amount — the loans app's own figures (its
schedule and state); a household of the village clerk's village with a rating and no loan (one policy
loan at a time: the demo's portal households have one) applies on 我要申请 and the clerk finds the draft
in the to-do list. No portal page is wider than the screen; the main links and buttons are ≥ 44 px high;
axe-core finds no serious or critical violation on any portal page at phone and desktop widths; another
household gets 404 for the first one's loan page. Screenshots at 390 px go to /tmp/shots/portal-*.png.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from microcredit.apps.core.clock import business_date
from microcredit.apps.households.models import Household
from microcredit.apps.loans.models import Loan
from microcredit.apps.loans.selectors import loan_current_state, loan_schedule
from microcredit.apps.origination.models import LoanApplication
from microcredit.apps.portal.selectors import loan_view
from microcredit.apps.rating.selectors import current_rating
from microcredit.batch.basis import next_due_date
from microcredit.demo.runner import generate
from microcredit.demo.scales import SCALES
from microcredit.domain.money import fen_to_yuan
from tests.e2e.test_phone_layout import AXE, AXE_RUN, DESKTOP, PHONE, TOO_WIDE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots")
APPLICANT_PHONE = "19900000390"  # a number no demo household has (the demo's own start with 13–19 + 9 digits)
SMALL_TARGETS = """() => {
  const out = [];
  document.querySelectorAll(
    ".portal-tabs a, .links a, a.go, a[role=button], main button, header button, main input:not([type=hidden]), main select"
  ).forEach(e => {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.height < 44) out.push(`${e.tagName} ${e.textContent.trim() || e.name} ${r.height}`);
  });
  return out;
}"""


@pytest.fixture
def demo():
    return generate(seed=1, scale=SCALES["test"])


@pytest.fixture
def outbox(settings, tmp_path):
    """The SMS file backend writes to a file of this test; the throttles do not get in the way of the pages."""
    path = tmp_path / "sms" / "outbox.jsonl"
    settings.SMS_FILE_PATH = str(path)
    settings.SMS_BACKEND = "microcredit.apps.reminders.sms.FileBackend"
    settings.MICROCREDIT_PORTAL_CODE_RATE_PHONE = "100/10min"
    settings.MICROCREDIT_PORTAL_CODE_RATE_IP = "1000/hour"
    settings.MICROCREDIT_PORTAL_VERIFY_RATE_IP = "1000/10min"
    return path


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, bypass_csp=True)  # CSP would refuse axe's script
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def last_code(outbox: Path, number: str) -> str:
    lines = [json.loads(x) for x in outbox.read_text(encoding="utf-8").splitlines()]
    text = [m["text"] for m in lines if m["to"] == number][-1]
    return re.search(r"验证码为(\d{6})", text).group(1)


def ask_code(page, base: str, number: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/portal/signin/")
    page.fill("#phone", number)
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url(re.compile(r"/portal/signin/code/"))


def sign_in(page, base: str, number: str, outbox: Path) -> None:
    """Phone number, then the code from the outbox: the portal's home."""
    ask_code(page, base, number)
    expect(page.locator("main")).to_contain_text("验证码已发送")
    page.fill("#code", last_code(outbox, number))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/portal/")
    expect(page.locator("h1")).to_have_text("我的信用")


def fits(page, shot: str | None = None) -> None:
    """Not wider than the screen, the main targets ≥ 44 px; at 390 px a screenshot."""
    page.wait_for_load_state("load")
    if shot:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"portal-{shot}.png"), full_page=True)
    assert page.evaluate(TOO_WIDE) == [], page.url
    assert page.evaluate(SMALL_TARGETS) == [], page.url


def expected_next_due(loan: Loan) -> tuple[str, str]:
    """The loans app's next due date and the unpaid principal + interest of that instalment (yuan)."""
    on = business_date()
    state = loan_current_state(loan, on)
    day = next_due_date(state)
    inst = next(i for i in state.installments if i.due_date == day and i.paid_off_on is None)
    assert day in {i.due_date for i in loan_schedule(loan).installments}  # a date of the loan's schedule
    return day.isoformat(), fen_to_yuan(inst.principal_unpaid + inst.interest_unpaid)


def borrower(ctx) -> dict:
    """The demo's portal household with a loan (its next instalment due soonest)."""
    return next(h for h in ctx.extra["portal"]["households"] if h.get("loan"))


def applicant(ctx) -> tuple[Household, str]:
    """(household, its own number): the demo's portal household that may apply if it has one, else a household
    of the village clerk's village with an effective rating and no loan in force, given a number of its own."""
    village = ctx.users["village"].scope_regions[0]
    for h in ctx.extra["portal"]["households"]:
        if not h.get("loan") and Household.objects.filter(pk=h["id"], region_code__startswith=village).exists():
            return Household.objects.get(pk=h["id"]), h["phone"]
    active = Loan.objects.filter(status="active").values_list("household_id", flat=True)
    for hh in (Household.objects.filter(region_code__startswith=village, status="general")
               .exclude(pk__in=active).order_by("number")):
        rating = current_rating(hh)
        if rating and rating.grade and rating.valid_until >= business_date() and rating.credit_limit >= 3_000_000:
            Household.objects.filter(pk=hh.pk).update(phone=APPLICANT_PHONE)
            return hh, APPLICANT_PHONE
    raise AssertionError("演示县没有可以申请的农户")


def test_household_signs_in_reads_what_it_owes_and_its_application_reaches_the_clerk(
        live_server, phone, login, demo, outbox):
    base = live_server.url
    first = borrower(demo)
    loan = Loan.objects.get(pk=first["loan"])
    sign_in(phone, base, first["phone"], outbox)
    fits(phone)
    # 我的贷款: the next due date and amount are the loans app's
    phone.locator(".portal-tabs").get_by_role("link", name="我的贷款").click()
    card = phone.locator(f"article.loan[data-loan='{loan.pk}']")
    day, amount = expected_next_due(loan)
    expect(card.locator(".next-due-date")).to_have_text(day)
    household_amount = fen_to_yuan(loan_view(loan, business_date()).next_due.household_amount)
    expect(card.locator(".next-due-amount")).to_have_text(f"{household_amount} 元")
    fits(phone)
    card.get_by_role("button", name="还款计划和明细").click()
    expect(phone.locator("#next-due-date")).to_have_text(day)
    expect(phone.locator("#next-due-amount")).to_have_text(f"{amount} 元")
    assert loan.next_due_date is None or loan.next_due_date.isoformat() == day  # what the close stored
    fits(phone)
    # The household with a loan in force is told why it cannot apply, all at once, in Chinese
    phone.locator(".portal-tabs").get_by_role("link", name="我要申请").click()
    phone.fill("#id_purpose", "养殖肉牛5头")
    phone.fill("#id_amount", "30000")
    phone.get_by_role("button", name="提交申请").click()
    expect(phone.locator("#failures")).to_contain_text("已有未结清的小额信贷")
    fits(phone)
    # A household without a loan applies; the village clerk finds the draft in the to-do list
    hh, number = applicant(demo)
    sign_in(phone, base, number, outbox)
    phone.locator(".portal-tabs").get_by_role("link", name="我要申请").click()
    phone.select_option("#id_industry", "种植")
    phone.fill("#id_purpose", "种植马铃薯20亩")
    phone.fill("#id_amount", "20000")
    phone.fill("#id_term_months", "24")
    phone.get_by_role("button", name="提交申请").click()
    phone.wait_for_url(f"{base}/portal/applications/")
    expect(phone.locator(".msg")).to_contain_text("申请已提交到村金融服务室")
    application = phone.locator("article.application").first
    app_number = application.get_attribute("data-number")
    expect(application).to_contain_text("户申请")
    expect(application).to_contain_text("20000.00 元，24 个月")
    fits(phone)
    phone.locator("header").get_by_role("button", name="退出").click()
    phone.wait_for_url(f"{base}/portal/signin/")
    login(phone, "village")
    phone.goto(f"{base}/todo/")
    row = phone.locator("#todo-list tbody tr", has_text=app_number)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("户申请")
    assert LoanApplication.objects.get(number=app_number).household_id == hh.pk


def test_another_household_gets_404_for_the_first_ones_loan(live_server, phone, demo, outbox):
    base = live_server.url
    first = borrower(demo)
    second = next((h for h in demo.extra["portal"]["households"] if h["id"] != first["id"]), None)
    if second is None:  # the demo prepared one household only: the one that may apply
        hh, number = applicant(demo)
        second = {"id": hh.pk, "phone": number, "loan": None}
    sign_in(phone, base, second["phone"], outbox)
    for path in (f"/portal/loans/{first['loan']}/", f"/portal/loans/{first['loan']}/quote/"):
        response = phone.goto(f"{base}{path}")
        assert response.status == 404, path
        expect(phone.locator("body")).not_to_contain_text(first["name"])
    if second.get("loan"):
        assert phone.goto(f"{base}/portal/loans/{second['loan']}/").status == 200


def _axe(page, found: dict, name: str, width: int) -> None:
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(AXE_RUN)
    if violations:
        found[f"{width} {name} {page.url}"] = violations


def test_portal_pages_fit_a_phone_and_have_no_serious_accessibility_violations(live_server, phone, demo, outbox):
    """Every portal page at 390 px (screenshots) and at desktop width: no serious or critical axe violation."""
    base = live_server.url
    first = borrower(demo)
    loan = first["loan"]
    signed_in = [("home", "/portal/"), ("loans", "/portal/loans/"), ("loan", f"/portal/loans/{loan}/"),
                 ("quote", f"/portal/loans/{loan}/quote/"), ("reminders", "/portal/reminders/"),
                 ("policy", "/portal/policy/"), ("apply", "/portal/apply/"),
                 ("applications", "/portal/applications/")]
    found: dict = {}
    for viewport in (PHONE, DESKTOP):
        width = viewport["width"]
        shot = (lambda name: name) if viewport is PHONE else (lambda name: None)
        phone.set_viewport_size(viewport)
        phone.context.clear_cookies()
        for name, path in (("signin", "/portal/signin/"), ("signin-paper", "/portal/signin/paper/")):
            phone.goto(f"{base}{path}")
            fits(phone, shot(name))
            _axe(phone, found, name, width)
        # the pages with an error shown (a wrong number, a wrong code, a form with its errors)
        phone.fill("#id_number", "123")
        phone.fill("#code", "12")
        phone.get_by_role("button", name="登录").click()
        fits(phone, shot("signin-paper-error"))
        expect(phone.locator("#id_number + small.error")).to_contain_text("身份证号")  # under its own field
        _axe(phone, found, "signin-paper-error", width)
        ask_code(phone, base, first["phone"])
        fits(phone, shot("signin-code"))
        _axe(phone, found, "signin-code", width)
        phone.fill("#code", "000000")
        phone.get_by_role("button", name="登录").click()
        fits(phone, shot("signin-code-error"))
        _axe(phone, found, "signin-code-error", width)
        sign_in(phone, base, first["phone"], outbox)
        for name, path in signed_in:
            phone.goto(f"{base}{path}")
            fits(phone, shot(name))
            _axe(phone, found, name, width)
        phone.goto(f"{base}/portal/apply/")
        phone.fill("#id_amount", "abc")
        phone.get_by_role("button", name="提交申请").click()
        fits(phone, shot("apply-errors"))
        _axe(phone, found, "apply-errors", width)
    assert found == {}
