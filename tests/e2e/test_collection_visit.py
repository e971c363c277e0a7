"""Browser story at 390 × 844 (issue #12 §3): the township station opens the collection cases on a
phone, opens an overdue household's case and records a door visit with a promise to pay and a
photo; the case page shows the visit and the new state, and nothing scrolls sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from microcredit.apps.collection.models import Action, Case
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.monitoring.close import run_close
from tests.batch.portfolio import County
from tests.e2e.test_phone_layout import PHONE, TOO_WIDE
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
TODAY = dt.date(2025, 7, 1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_township_station_records_a_visit_on_a_phone(live_server, browser, login, tmp_path):
    with pinned_business_date(TODAY):
        county = County()
        loan = county.loan(village=0, method="interest_quarterly", months=24, disbursed=dt.date(2025, 3, 21))
        make_user("township_station", [county.tree.townships[0].code[:9]], username="township", password="demo",
                  first_name="秀英", last_name="李")
        run_close(TODAY)
        case = Case.objects.get(loan=loan)
        photo = tmp_path / "visit.png"
        photo.write_bytes(PNG)

        context = browser.new_context(locale="zh-CN", viewport=PHONE)
        phone = context.new_page()
        phone.set_default_timeout(15000)
        login(phone, "township")
        phone.goto(f"{live_server.url}/collection/")
        expect(phone.locator("h1")).to_have_text("催收案件")
        row = phone.locator("#cases tbody tr").first
        expect(row).to_contain_text(loan.household.head_name)
        assert phone.evaluate(TOO_WIDE) == []
        link = row.locator("a", has_text="查看/登记")
        expect(link).to_be_visible()
        assert link.bounding_box()["height"] >= 44
        link.click()
        phone.wait_for_url(f"{live_server.url}/collection/{case.pk}/")
        expect(phone.locator("#case-state")).to_have_text("待催收")
        form = phone.locator("#record-action form")
        form.locator("select[name=channel]").select_option("visit")
        form.locator("select[name=result]").select_option("promise")
        form.locator("input[name=promised_on]").fill("2025-07-10")
        form.locator("input[name=promised_amount]").fill("600.00")
        form.locator("textarea[name=note]").fill("上门宣传政策，户主答应卖猪后还款")
        form.locator("input[name=photo]").set_input_files(str(photo))
        assert phone.evaluate(TOO_WIDE) == []
        form.locator("button[type=submit]").click()
        phone.wait_for_url(f"{live_server.url}/collection/{case.pk}/")
        expect(phone.locator("#case-state")).to_have_text("承诺还款")
        expect(phone.locator("#actions tbody tr").first).to_contain_text("上门")
        expect(phone.locator("#history")).to_contain_text("承诺 2025-07-10 还款 600.00 元")
        phone.wait_for_load_state("load")
        assert phone.evaluate(TOO_WIDE) == []
        context.close()
    a = Action.objects.get()
    assert (a.channel, a.result, a.promised_amount, a.actor.username) == ("visit", "promise", 60000, "township")
    assert a.photo
