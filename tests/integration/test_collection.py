"""Collection (催收, issue #12 §3): escalation bands in the history, promise to pay and broken promise,
recorded visits (audited, with a photo), the pages and the API, scope and hostile input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microcredit.apps.accounts.tokens import issue_token
from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.collection import services
from microcredit.apps.collection.models import Action, Case
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.core.todo import todo_for
from microcredit.apps.loans import servicing as svc
from microcredit.apps.monitoring.close import run_close
from tests.batch.portfolio import County
from tests.factories import make_bank, make_user

pytestmark = pytest.mark.django_db
D0 = dt.date(2025, 7, 1)  # first quarter's interest was due 2025-06-21: 10 days past due
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world():
    with pinned_business_date(D0):
        c = County()
        c.loan0 = c.loan(village=0, method="interest_quarterly", months=24, disbursed=dt.date(2025, 3, 21))
        c.loan2 = c.loan(village=2, method="interest_quarterly", months=24, disbursed=dt.date(2025, 3, 21))
        v0, v1 = c.tree.villages[0], c.tree.villages[1]
        c.clerk = make_user("village_station", [v0.code])
        c.other_clerk = make_user("village_station", [v1.code])
        c.township = make_user("township_station", [v0.code[:9]])
        c.other_bank = make_user("bank_officer", [c.tree.county.prefix], bank=make_bank("ABC", "农业银行"))
        c.auditor = make_user("auditor", [c.tree.county.prefix])
        c.insurer = make_user("insurer", [c.tree.county.prefix])
        run_close(D0)
        c.case0 = Case.objects.get(loan=c.loan0)
        c.case2 = Case.objects.get(loan=c.loan2)
        yield c


def close(day):
    with pinned_business_date(day):
        run_close(day)


def test_escalation_bands_are_recorded_in_the_history_and_90_days_proposes_a_claim(world, client):
    case = world.case0
    assert case.band == "village" and case.days_past_due == 10
    close(dt.date(2025, 7, 21))  # 30 days
    close(dt.date(2025, 8, 20))  # 60 days
    close(dt.date(2025, 9, 19))  # 90 days
    case.refresh_from_db()
    assert case.band == "claim" and case.days_past_due == 90 and case.claim_proposed
    moves = [(e.from_band, e.to_band) for e in case.events.filter(kind="escalated")]
    assert moves == [("village", "township"), ("township", "county"), ("county", "claim")]
    assert "代偿" in case.events.filter(kind="escalated").last().note
    client.force_login(world.officer)
    with pinned_business_date(dt.date(2025, 9, 19)):
        page = client.get(f"/collection/{case.pk}/").content.decode()
    assert "提出代偿申请" in page and f"/funds/claims/new/?loan={world.loan0.number}" in page
    client.force_login(world.clerk)  # the village sees the proposal; the bank files the claim
    with pinned_business_date(dt.date(2025, 9, 19)):
        page = client.get(f"/collection/{case.pk}/").content.decode()
    assert "建议提出风险补偿金代偿申请" in page and "/funds/claims/new/" not in page


def test_promise_to_pay_then_broken_at_the_next_close(world):
    with pinned_business_date(dt.date(2025, 7, 3)):
        services.action_record(case=world.case0, actor=world.clerk, on=dt.date(2025, 7, 3), channel="visit",
                               result="promise", promised_on=dt.date(2025, 7, 10), promised_amount=40000,
                               note="户主外出务工，答应下周汇款")
    case = Case.objects.get(pk=world.case0.pk)
    assert case.state == "promise_to_pay" and case.promised_on == dt.date(2025, 7, 10) and case.promised_amount == 40000
    close(dt.date(2025, 7, 10))  # the promised day itself: not broken yet
    assert Case.objects.get(pk=case.pk).state == "promise_to_pay"
    close(dt.date(2025, 7, 11))
    case.refresh_from_db()
    assert case.state == "broken_promise"
    assert "承诺于 2025-07-10 还款" in case.events.get(kind="broken").note
    # on the village's to-do list, overdue first
    items = [i for i in todo_for(world.clerk, dt.date(2025, 7, 11)).items if i.kind == "collection"]
    assert items and items[0].overdue and items[0].url == f"/collection/{case.pk}/"
    # a new visit brings it back in progress; paying resolves it at the next close
    with pinned_business_date(dt.date(2025, 7, 12)):
        services.action_record(case=case, actor=world.township, channel="phone", result="hardship")
        assert Case.objects.get(pk=case.pk).state == "in_progress"
        svc.repayment_post(loan=world.loan0, amount=60000, on=dt.date(2025, 7, 12), actor=world.officer)
    close(dt.date(2025, 7, 12))
    case.refresh_from_db()
    assert case.state == "resolved"


def test_promise_kept_resolves_the_case(world):
    with pinned_business_date(dt.date(2025, 7, 3)):
        services.action_record(case=world.case0, actor=world.clerk, channel="phone", result="promise",
                               promised_on=dt.date(2025, 7, 8), promised_amount=40000)
    with pinned_business_date(dt.date(2025, 7, 8)):
        svc.repayment_post(loan=world.loan0, amount=60000, on=dt.date(2025, 7, 8), actor=world.officer)
    close(dt.date(2025, 7, 9))
    assert Case.objects.get(pk=world.case0.pk).state == "resolved"


def test_recording_a_visit_on_the_page_with_a_photo_is_audited(world, client):
    client.force_login(world.clerk)
    with pinned_business_date(dt.date(2025, 7, 2)):
        page = client.get(f"/collection/{world.case0.pk}/")
        assert page.status_code == 200 and "登记催收" in page.content.decode()
        r = client.post(f"/collection/{world.case0.pk}/", {
            "do": "action", "on": "2025-07-02", "channel": "visit", "result": "refused", "note": "上门宣传政策",
            "photo": SimpleUploadedFile("visit.png", PNG, content_type="image/png")})
    assert r.status_code == 302
    a = Action.objects.get()
    assert (a.actor, a.channel, a.result, a.note) == (world.clerk, "visit", "refused", "上门宣传政策")
    assert a.photo and a.photo_type == "image/png"
    entry = AuditEntry.objects.get(action="collection.action")
    assert entry.actor == world.clerk and entry.after["channel"] == "visit" and entry.object_type == "collection.action"
    client.force_login(world.auditor)
    with pinned_business_date(dt.date(2025, 7, 2)):
        trail = client.get("/audit/").content.decode()
    assert "登记催收" in trail and "上门" in trail
    case = Case.objects.get(pk=world.case0.pk)
    assert case.state == "in_progress" and case.last_action_on == dt.date(2025, 7, 2)
    with pinned_business_date(dt.date(2025, 7, 2)):
        assert client.get(f"/collection/{case.pk}/photo/{a.pk}/").status_code == 200
        client.force_login(world.other_clerk)
        assert client.get(f"/collection/{case.pk}/photo/{a.pk}/").status_code == 404


def test_pages_list_daily_and_notices(world, client):
    client.force_login(world.county_user)
    with pinned_business_date(D0):
        page = client.get("/collection/").content.decode()
        assert world.loan0.number in page and world.loan2.number in page
        page = client.get(f"/collection/?township={world.tree.townships[1].code}&band=village&state=open").content.decode()
        assert world.loan2.number in page and world.loan0.number not in page
        daily = client.get("/collection/daily/").content.decode()
        assert "城关镇" in daily and "东明镇" in daily and "data-print" in daily and world.loan0.number in daily
        n = client.get(f"/collection/notice/{world.loan0.pk}/collection/").content.decode()
        assert "逾期贷款催收通知书" in n and "已逾期" in n and "卢氏农商银行" in n and "10" in n
        d = client.get(f"/collection/notice/{world.loan0.pk}/due/").content.decode()
        assert "到期还款通知书" in d and "2025年9月21日" in d
        loan_page = client.get(f"/loans/{world.loan0.pk}/").content.decode()
        assert "collection-panel" in loan_page and f"/collection/{world.case0.pk}/" in loan_page


def test_scope_village_township_bank_and_roles(world, client):
    with pinned_business_date(D0):
        client.force_login(world.other_clerk)  # another village of the same township
        assert world.loan0.number not in client.get("/collection/").content.decode()
        assert client.get(f"/collection/{world.case0.pk}/").status_code == 404
        assert client.get(f"/collection/notice/{world.loan0.pk}/due/").status_code == 404
        r = client.post(f"/collection/{world.case0.pk}/", {"do": "action", "channel": "visit", "result": "refused",
                                                           "on": "2025-07-01"})
        assert r.status_code == 404
        with pytest.raises(services.CollectionRefused, match="管辖范围"):
            services.action_record(case=world.case0, actor=world.other_clerk, channel="visit", result="refused")
        client.force_login(world.township)
        page = client.get("/collection/").content.decode()
        assert world.loan0.number in page and world.loan2.number not in page
        client.force_login(world.other_bank)  # another bank's officer sees none of this bank's loans
        assert world.loan0.number not in client.get("/collection/").content.decode()
        assert client.get(f"/collection/{world.case0.pk}/").status_code == 404
        client.force_login(world.insurer)
        assert client.get("/collection/").status_code == 403
        client.force_login(world.auditor)  # reads, does not record
        assert client.get(f"/collection/{world.case0.pk}/").status_code == 200
        client.post(f"/collection/{world.case0.pk}/", {"do": "action", "channel": "visit", "result": "refused",
                                                       "on": "2025-07-01"})
        assert not Action.objects.exists()
        with pytest.raises(services.CollectionRefused, match="无权"):
            services.action_record(case=world.case0, actor=world.auditor, channel="visit", result="refused")


def test_hostile_page_input_is_refused_with_chinese_errors(world, client):
    client.force_login(world.clerk)
    with pinned_business_date(D0):
        for q in ("state=x", "band=<script>", "township=12", "village=abc", "page=99999999999999999999"):
            assert client.get(f"/collection/?{q}").status_code in (200, 400), q
        assert client.get("/collection/daily/?township=1' OR 1=1").status_code == 400
        assert client.get(f"/collection/notice/{world.loan0.pk}/other/").status_code == 404
        assert client.get("/collection/99999999/").status_code == 404
        r = client.post(f"/collection/{world.case0.pk}/", {
            "do": "action", "on": "2030-01-01", "channel": "fax", "result": "promise", "note": "长" * 501,
            "promised_amount": "-5", "photo": SimpleUploadedFile("x.png", b"MZ not an image", content_type="image/png")})
        assert r.status_code == 200
        body = r.content.decode()
        assert "请修改以下" in body and "催收方式" in body and "照片" in body
        r = client.post(f"/collection/{world.case0.pk}/", {
            "do": "action", "on": "2025-07-01", "channel": "visit", "result": "promise", "promised_on": "2025-12-31",
            "promised_amount": "100"})
        assert r.status_code == 200 and "最多在催收日期后 90 天" in r.content.decode()
        r = client.post(f"/collection/{world.case0.pk}/", {"do": "close", "note": "结"}, follow=True)
        assert r.status_code == 200 and "只有已化解的案件才能结案" in r.content.decode()
    assert not Action.objects.exists()


@pytest.fixture
def tokens(world):
    return {name: {"HTTP_AUTHORIZATION": f"Bearer {issue_token(getattr(world, name))[0]}"}
            for name in ("clerk", "other_clerk", "officer", "other_bank", "auditor", "insurer")}


def test_api_lists_shows_and_records(world, client, tokens):
    with pinned_business_date(dt.date(2025, 7, 2)):
        r = client.get("/api/v1/collection/cases?state=open", **tokens["officer"])
        assert r.status_code == 200 and {c["loan_number"] for c in r.json()} == {world.loan0.number, world.loan2.number}
        r = client.get(f"/api/v1/collection/cases?township={world.tree.townships[0].code[:9]}", **tokens["officer"])
        assert [c["id"] for c in r.json()] == [world.case0.pk]
        assert client.get("/api/v1/collection/cases", **tokens["clerk"]).json()[0]["id"] == world.case0.pk
        body = {"channel": "phone", "result": "promise", "promised_on": "2025-07-09", "promised_amount": "400.00",
                "note": "电话联系，承诺下周还"}
        r = client.post(f"/api/v1/collection/cases/{world.case0.pk}/actions", body, content_type="application/json",
                        **tokens["clerk"])
        assert r.status_code == 201, r.content
        out = r.json()
        assert out["state"] == "promise_to_pay" and out["promised_amount"] == "400.00"
        assert out["actions"][0]["channel_label"] == "电话" and out["history"][-1]["kind"] == "action"
        r = client.get(f"/api/v1/collection/cases/{world.case0.pk}", **tokens["auditor"])
        assert r.status_code == 200 and r.json()["actions"][0]["promised_on"] == "2025-07-09"
    assert Action.objects.get().via_api


def test_api_scope_and_hostile_input(world, client, tokens):
    url = f"/api/v1/collection/cases/{world.case0.pk}"
    with pinned_business_date(dt.date(2025, 7, 2)):
        assert client.get(url, **tokens["other_clerk"]).status_code == 404
        assert client.get(url, **tokens["other_bank"]).status_code == 404
        assert client.get("/api/v1/collection/cases", **tokens["insurer"]).status_code == 403
        assert client.post(f"{url}/actions", {"channel": "visit", "result": "refused"}, content_type="application/json",
                           **tokens["auditor"]).status_code == 403
        assert client.post(f"{url}/actions", {"channel": "visit", "result": "refused"}, content_type="application/json",
                           **tokens["other_clerk"]).status_code == 404
        for query in ("state=bogus", "township=abc", "village=1", "limit=100000", "band=" + "x" * 50):
            r = client.get(f"/api/v1/collection/cases?{query}", **tokens["officer"])
            assert r.status_code == 422, query
        assert client.get("/api/v1/collection/cases/99999999999999999999999", **tokens["officer"]).status_code == 422
        bad = [{"channel": "fax", "result": "refused"},
               {"channel": "visit", "result": "refused", "note": "长" * 501},
               {"channel": "visit", "result": "promise"},
               {"channel": "visit", "result": "refused", "on": "2031-01-01"},
               {"channel": "visit", "result": "promise", "promised_on": "2025-07-09", "promised_amount": "1.234"},
               {"channel": "visit", "result": "refused", "on": "not a date"}]
        for body in bad:
            r = client.post(f"{url}/actions", body, content_type="application/json", **tokens["clerk"])
            assert r.status_code == 422, (body, r.content)
        r = client.post(f"{url}/actions", {"channel": "visit", "result": "promise"}, content_type="application/json",
                        **tokens["clerk"])
        assert "承诺还款日期" in r.json()["detail"] and "承诺还款金额" in r.json()["detail"]
    assert not Action.objects.exists()
    Case.objects.filter(pk=world.case0.pk).update(state="resolved")
    with pinned_business_date(dt.date(2025, 7, 2)):
        r = client.post(f"{url}/actions", {"channel": "visit", "result": "refused"}, content_type="application/json",
                        **tokens["clerk"])
    assert r.status_code == 409 and "已化解或结案" in r.json()["detail"]
