"""Browser story: a bank officer opens an overdue loan, posts a repayment, gets the receipt and
sees the loan's state change (headless Chromium)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from microcredit.apps.core.clock import pinned_business_date
from tests.batch.portfolio import County


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_bank_officer_posts_a_repayment_and_sees_the_state_change(live_server, page):
    with pinned_business_date(dt.date(2026, 6, 1)):
        county = County()
        county.officer.username = "bank"
        county.officer.set_password("pw-test-123")
        county.officer.save()
        loan = county.loan(method="bullet", months=12, disbursed=dt.date(2025, 1, 10), principal=3000000)
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", "bank")
        page.fill("input[name=password]", "pw-test-123")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

        page.goto(f"{live_server.url}/loans/{loan.pk}/")
        expect(page.locator("#state-dpd")).to_have_text("142")
        expect(page.locator("#state-class")).to_have_text("次级")
        page.click("#btn-repay")
        page.fill("input[name=amount]", "40000.00")
        page.fill("input[name=on]", "2026-06-01")
        page.fill("input[name=reference]", "YH20260601001")
        page.click("#btn-submit")
        expect(page.locator("#receipt")).to_contain_text("还款回单")
        expect(page.locator("#receipt-amount")).to_have_text("40000.00 元")
        page.click("text=返回贷款")
        expect(page.locator("#state-dpd")).to_have_text("0")
        expect(page.locator("#state-class")).to_have_text("正常")
        expect(page.locator("#loan-status")).to_have_text("已结清")
        expect(page.locator("#events")).to_contain_text("还款")
