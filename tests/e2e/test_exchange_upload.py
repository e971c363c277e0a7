"""A bank officer uploads the month's ledger in the browser (issue #13, done-when), on a 390 px phone and
on a desktop: the upload page queues the import job, the status polls until the job is done (the
worker's part is played by the test: claim_next + run_job), the report shows the counts and a finding;
at 390 px nothing is wider than the screen. Screenshots in /tmp/shots/exchange-*.png."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from microcredit.apps.jobs.runner import claim_next, run_job
from microcredit.domain.identity import make_id_number
from tests.batch.portfolio import County
from tests.e2e.test_phone_layout import DESKTOP, PHONE, TOO_WIDE
from tests.factories import make_household, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots")
DAY = "2026-03-15"


@pytest.fixture
def ledger(business_day, tmp_path):
    county = County()
    make_user("bank_officer", [county.tree.county.prefix], bank=county.bank, username="bank_e2e", password="demo")
    ids = [make_household(county.tree.villages[0], head_id_number=make_id_number("411224", dt.date(1985, 6, 1), 40 + n,
                                                                                 True)).head_id_number for n in range(3)]
    path = tmp_path / "农商银行台账-202610.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(["卢氏农商银行小额信贷台账（截至2026年10月31日）"])
        out.writerow(["合同编号", "借款人姓名", "借款人身份证号", "贷款金额(元)", "贷款期限(月)", "放款日期",
                      "执行年利率(%)", "累计还款(元)", "贷款余额(元)"])
        out.writerow(["HT01", "甲", ids[0], "50,000.00", "36", DAY, "2.9", "0", "50000"])
        out.writerow(["HT02", "乙", ids[1], "50000", "36", "2026/3/15", "3.5", "0", "50000"])  # rate over the cap
        out.writerow(["HT03", "丙", ids[2], "30000", "36", "2026年3月15日", "2.9", "0", "30000"])
        out.writerow(["合计", "", "", "130000", "", "", "", "", "130000"])
    SHOTS.mkdir(parents=True, exist_ok=True)
    return path


def _upload_and_report(page, live_server, path: Path, name: str) -> None:
    page.goto(f"{live_server.url}/ledgers/")
    expect(page.locator("h1")).to_have_text("银行台账导入")
    page.set_input_files("input[name=file]", str(path))
    page.fill("input[name=as_of]", "2026-10-31")
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_url(re.compile(r".*/ledgers/\?job=\d+$"))
    expect(page.locator("#import-status")).to_be_visible()
    page.screenshot(path=str(SHOTS / f"exchange-{name}-queued.png"), full_page=True)
    job = run_job(claim_next())  # the worker
    assert job.status == "done", job.message
    link = page.get_by_role("link", name="查看导入报告")
    expect(link).to_be_visible(timeout=10000)  # the status polls every second
    page.screenshot(path=str(SHOTS / f"exchange-{name}-done.png"), full_page=True)
    link.click()
    page.wait_for_url(re.compile(r".*/ledgers/imports/\d+/$"))
    expect(page.locator("h1")).to_contain_text("导入报告")


def test_bank_officer_uploads_a_ledger_on_a_phone_and_a_desktop(live_server, browser, login, ledger):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15000)
    login(page, "bank_e2e")
    _upload_and_report(page, live_server, ledger, "phone")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("3 / 0 / 0 / 0")  # created / updated / unchanged / rejected
    expect(page.locator("table.data").last).to_contain_text("执行利率高于政策利率上限")
    expect(page.locator("table.data").last).to_contain_text("HT02")
    page.wait_for_load_state("load")
    assert page.evaluate(TOO_WIDE) == [], page.url
    page.screenshot(path=str(SHOTS / "exchange-phone-report.png"), full_page=True)
    for path in ("/ledgers/", "/ledgers/loans/", "/ledgers/reconcile/", "/ledgers/template/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        assert page.evaluate(TOO_WIDE) == [], path

    # the same file again on a desktop: every row unchanged
    page.set_viewport_size(DESKTOP)
    _upload_and_report(page, live_server, ledger, "desktop")
    expect(page.locator("dl.facts")).to_contain_text("0 / 0 / 3 / 0")
    expect(page.locator("table.data").last).to_contain_text("执行利率高于政策利率上限")
    page.screenshot(path=str(SHOTS / "exchange-desktop-report.png"), full_page=True)
    context.close()
