"""Reminders after the close (issue #12 §2, DOMAIN §8): generated once per loan × due date × kind across any
number of closes, sent only after the close commits, held in quiet hours, retried then failed, delivered
by hand where there is no mobile number; settings, pages and API scoped and refusing hostile input."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest
from django.db import transaction

from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.core.todo import todo_for
from microcredit.apps.jobs.models import Job, JobStatus
from microcredit.apps.jobs.runner import claim_next, run_job
from microcredit.apps.monitoring.close import run_close
from microcredit.apps.reminders import services
from microcredit.apps.reminders.models import Reminder, ReminderSettings, ReminderStatus
from microcredit.apps.reminders.sms import SmsError
from tests.batch.portfolio import County
from tests.factories import make_bank, make_household, make_user

pytestmark = pytest.mark.django_db
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
DISBURSED = dt.date(2026, 1, 15)


@pytest.fixture
def outbox_file(settings, tmp_path):
    path = tmp_path / "sms" / "outbox.jsonl"
    settings.SMS_FILE_PATH = str(path)
    settings.SMS_BACKEND = "microcredit.apps.reminders.sms.FileBackend"
    return path


def lines(path):
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


@pytest.fixture
def county(outbox_file):
    with pinned_business_date(DISBURSED):
        c = County()
        c.with_phone = c.loan(village=0, months=12, method="interest_quarterly", disbursed=DISBURSED)
        c.no_phone = c.loan(village=2, months=12, method="interest_quarterly", disbursed=DISBURSED,
                            household=make_household(c.tree.villages[2], phone=""))
    c.due = c.with_phone.installments.order_by("due_date").first().due_date  # 2026-03-21 (interest, quarterly)
    c.outbox = outbox_file
    return c


def close(day):
    with pinned_business_date(day):
        return run_close(day)


def at(day, hour, minute=0):
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def keys():
    return sorted((r.loan_id, r.due_date, r.kind) for r in Reminder.objects.all())


def test_not_duplicated_across_closes_and_a_reclose(county):
    early = county.due - dt.timedelta(days=30)
    close(early)
    assert keys() == sorted([(county.with_phone.pk, county.due, "early"), (county.no_phone.pk, county.due, "early")])
    close(early)  # a re-close of the same date
    close(early + dt.timedelta(days=1))  # the next date's close
    assert len(keys()) == 2
    close(county.due - dt.timedelta(days=7))
    close(county.due - dt.timedelta(days=7))
    close(county.due + dt.timedelta(days=1))  # unpaid: the first overdue day
    close(county.due + dt.timedelta(days=1))
    assert keys() == sorted((loan.pk, county.due, kind) for loan in (county.with_phone, county.no_phone)
                            for kind in ("early", "near", "overdue"))
    sms = Reminder.objects.get(loan=county.with_phone, kind="early")
    assert sms.status == ReminderStatus.QUEUED and sms.to == county.with_phone.household.phone
    assert county.with_phone.household.head_name in sms.text and f"{county.due.year}年{county.due.month}月{county.due.day}日" in sms.text
    assert sms.amount > 0 and county.with_phone.number in sms.text
    hand = Reminder.objects.get(loan=county.no_phone, kind="early")
    assert hand.status == ReminderStatus.BY_HAND and hand.to == ""


def test_sent_only_after_commit_and_never_on_rollback(county, django_capture_on_commit_callbacks, monkeypatch):
    early = county.due - dt.timedelta(days=30)
    monkeypatch.setattr(services, "now", lambda: at(early, 10))  # the job runs in the daytime
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError), \
            transaction.atomic():
        close(early)
        assert Reminder.objects.count() == 2
        raise RuntimeError("the close's transaction fails")
    assert callbacks == [] and Reminder.objects.count() == 0
    assert not Job.objects.filter(kind="sms_send").exists()
    assert services.send_due(at=at(early, 10))["sent"] == 0 and lines(county.outbox) == []

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        close(early)
        assert not Job.objects.filter(kind="sms_send").exists()  # nothing handed over before the commit
    assert lines(county.outbox) == []
    for fn in callbacks:  # the commit
        fn()
    Reminder.objects.update(send_after=at(early, 9))
    job = claim_next()
    assert job.kind == "sms_send"
    job = run_job(job, worker=job.worker)
    assert job.status == JobStatus.DONE and job.result["sent"] == 1
    [line] = lines(county.outbox)
    assert set(line) == {"to", "text", "sent_at", "kind", "loan_id"}
    assert line["loan_id"] == county.with_phone.pk and line["kind"] == "early"
    assert line["to"] == county.with_phone.household.phone
    assert services.send_due(at=at(early, 11))["sent"] == 0 and len(lines(county.outbox)) == 1  # never twice
    assert Reminder.objects.get(loan=county.with_phone).status == ReminderStatus.SENT


def test_quiet_hours_hold_a_message_until_eight(county):
    day = county.due - dt.timedelta(days=30)
    close(day)
    Reminder.objects.update(send_after=at(day, 20))
    counts = services.send_due(at=at(day, 22, 30))
    assert counts["held"] == 1 and counts["sent"] == 0 and lines(county.outbox) == []
    held = Reminder.objects.get(status=ReminderStatus.QUEUED)
    assert held.send_after == at(day + dt.timedelta(days=1), 8)
    assert services.send_due(at=at(day + dt.timedelta(days=1), 7, 59))["sent"] == 0
    assert services.send_due(at=at(day + dt.timedelta(days=1), 8))["sent"] == 1
    assert len(lines(county.outbox)) == 1


class Broken:
    def __init__(self):
        self.calls = 0

    def send(self, to, text, **meta):
        self.calls += 1
        raise SmsError("短信平台未配置：缺少 access_key_id")


def test_retry_with_backoff_then_failed_then_retried_by_the_county(county, client):
    day = county.due - dt.timedelta(days=30)
    close(day)
    Reminder.objects.update(send_after=at(day, 9))
    broken, t0 = Broken(), at(day, 10)
    assert services.send_due(at=t0, backend=broken)["retry"] == 1
    r = Reminder.objects.get(to__gt="")
    assert r.status == ReminderStatus.QUEUED and r.attempts == 1 and "未配置" in r.last_error
    assert r.send_after == t0 + dt.timedelta(minutes=5)
    assert services.send_due(at=t0 + dt.timedelta(minutes=4), backend=broken)["retry"] == 0  # backoff
    services.send_due(at=t0 + dt.timedelta(minutes=5), backend=broken)
    assert services.send_due(at=t0 + dt.timedelta(minutes=15), backend=broken)["failed"] == 1
    r.refresh_from_db()
    assert r.status == ReminderStatus.FAILED and r.attempts == 3 and broken.calls == 3
    assert services.send_due(at=t0 + dt.timedelta(days=1), backend=broken)["failed"] == 0 and broken.calls == 3

    clerk = make_user("village_station", scope_regions=[county.tree.villages[0].prefix])
    assert any(i.kind == "reminder" and "发送失败" in i.state_label for i in todo_for(clerk, day).items)

    client.force_login(county.county_user)
    client.post("/reminders/outbox/", {"reminder": r.pk, "action": "retry"})
    r.refresh_from_db()
    assert r.status == ReminderStatus.QUEUED and r.attempts == 0
    assert AuditEntry.objects.filter(action="reminder.retry").count() == 1
    Reminder.objects.filter(pk=r.pk).update(send_after=t0)
    assert services.send_due(at=t0 + dt.timedelta(days=1, hours=1))["sent"] == 1
    assert len(lines(county.outbox)) == 1


def test_claimed_row_is_never_sent_twice(county):
    day = county.due - dt.timedelta(days=30)
    close(day)
    t0 = at(day, 10)
    Reminder.objects.update(send_after=at(day, 9))
    r = Reminder.objects.get(to__gt="")
    Reminder.objects.filter(pk=r.pk).update(status=ReminderStatus.SENDING, claim="other", claimed_at=t0)
    assert services.send_due(at=t0)["sent"] == 0  # another sender holds it
    counts = services.send_due(at=t0 + dt.timedelta(minutes=11))  # that sender died mid-send
    r.refresh_from_db()
    assert counts["failed"] == 1 and r.status == ReminderStatus.FAILED and "结果不明" in r.last_error
    assert lines(county.outbox) == []


def test_no_phone_goes_to_the_village_clerks_todo_and_is_delivered_by_hand(county, client):
    day = county.due - dt.timedelta(days=30)
    close(day)
    own = make_user("village_station", scope_regions=[county.tree.villages[2].prefix])
    other = make_user("village_station", scope_regions=[county.tree.villages[3].prefix])
    items = [i for i in todo_for(own, day).items if i.kind == "reminder"]
    assert len(items) == 1 and county.no_phone.number in items[0].title and "无手机号" in items[0].state_label
    assert not [i for i in todo_for(other, day).items if i.kind == "reminder"]
    assert not [i for i in todo_for(county.county_user, day).items if i.kind == "reminder"]
    hand = Reminder.objects.get(status=ReminderStatus.BY_HAND)
    client.force_login(other)
    assert client.post("/reminders/outbox/", {"reminder": hand.pk, "action": "hand"}).status_code == 404
    client.force_login(own)
    client.post("/reminders/outbox/", {"reminder": hand.pk, "action": "hand", "note": "电话通知"})
    hand.refresh_from_db()
    assert hand.status == ReminderStatus.HANDED and hand.handed_by == own and hand.handed_note == "电话通知"
    assert AuditEntry.objects.filter(action="reminder.hand").exists()
    assert not [i for i in todo_for(own, day).items if i.kind == "reminder"]


def test_settings_page_validates_placeholders_and_is_audited(county, client):
    client.force_login(county.county_user)
    page = client.get("/reminders/settings/")
    assert page.status_code == 200 and "{户主}" in page.content.decode()
    data = {"county": "411224", "early_days": 20, "near_days": 5, "overdue_days": 2, "quiet_start": "22:00",
            "quiet_end": "07:30", "horizon_months": 3, "max_attempts": 4,
            "template_early": "{户主}您好，{余额}元", "template_near": "{户主}：{应还日}应还{金额}元",
            "template_overdue": "好" * 201}
    body = client.post("/reminders/settings/", data).content.decode()
    assert "未知的占位符 {余额}" in body and "不能超过 200 个字符" in body
    assert not ReminderSettings.objects.exists()
    data |= {"template_early": "【{银行}】{户主}：{应还日}应还{金额}元（{贷款编号}，{村}）", "template_overdue": "{户主}已逾期"}
    assert client.post("/reminders/settings/", data).status_code == 302
    s = ReminderSettings.objects.get(county_code="411224")
    assert (s.early_days, s.near_days, s.overdue_days, s.horizon_months, s.max_attempts) == (20, 5, 2, 3, 4)
    assert AuditEntry.objects.filter(action="reminder_settings.update").count() == 1
    close(county.due - dt.timedelta(days=20))  # the county's own offsets and templates
    r = Reminder.objects.get(loan=county.with_phone)
    assert r.kind == "early" and r.max_attempts == 4 and r.text.startswith(f"【{county.bank}】")
    assert county.with_phone.household.village.name in r.text

    clerk = make_user("village_station", scope_regions=[county.tree.villages[0].prefix])
    client.force_login(clerk)
    assert client.get("/reminders/settings/").status_code == 403
    assert client.post("/reminders/settings/", data).status_code == 403


def test_settings_api(county, client):
    client.force_login(county.county_user)
    got = client.get("/api/v1/reminders/settings").json()
    assert got["saved"] is False and got["early_days"] == 30 and got["quiet_start"] == "21:00:00"
    body = {k: got[k] for k in services.SETTINGS_FIELDS} | {"template_near": "{户主}{电话}"}
    bad = client.put("/api/v1/reminders/settings", body, content_type="application/json")
    assert bad.status_code == 422 and "未知的占位符 {电话}" in bad.json()["detail"]
    body["template_near"] = "{户主}您好"
    ok = client.put("/api/v1/reminders/settings", body, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["saved"] is True
    assert client.put("/api/v1/reminders/settings?county=999999", body,
                      content_type="application/json").status_code == 404
    hostile = body | {"early_days": 10**9, "template_early": "x" * 5000}
    assert client.put("/api/v1/reminders/settings", hostile, content_type="application/json").status_code == 422
    client.force_login(make_user("bank_officer", scope_regions=["411224"], bank=county.bank))
    assert client.get("/api/v1/reminders/settings").status_code == 200
    assert client.put("/api/v1/reminders/settings", body, content_type="application/json").status_code == 403


def test_outbox_and_maturities_are_scoped(county, client):
    close(county.due - dt.timedelta(days=30))
    own = make_user("village_station", scope_regions=[county.tree.villages[0].prefix])
    other = make_user("village_station", scope_regions=[county.tree.villages[1].prefix])
    other_bank = make_user("bank_officer", scope_regions=["411224"], bank=make_bank("ABC", "农业银行"))
    client.force_login(own)
    assert [r["loan"] for r in client.get("/api/v1/reminders/outbox").json()] == [county.with_phone.number]
    assert [r["loan"] for r in client.get("/api/v1/reminders/maturities").json()] == [county.with_phone.number]
    assert county.with_phone.number in client.get("/reminders/outbox/").content.decode()
    for user in (other, other_bank):
        client.force_login(user)
        assert client.get("/api/v1/reminders/outbox").json() == []
        assert client.get("/api/v1/reminders/maturities").json() == []
        assert county.with_phone.number not in client.get("/reminders/outbox/").content.decode()
        assert county.with_phone.number not in client.get("/reminders/maturities/").content.decode()
    client.force_login(make_user("pboc", scope_regions=["411224"]))
    assert client.get("/reminders/outbox/").status_code == 403
    assert client.get("/api/v1/reminders/outbox").status_code == 403


def test_maturity_list_page_api_and_excel(county, client):
    with pinned_business_date(county.due - dt.timedelta(days=50)):
        client.force_login(make_user("township_station", scope_regions=[county.tree.townships[0].prefix]))
        page = client.get("/reminders/maturities/").content.decode()
        assert "期内没有到期应还本金的贷款" in page  # interest only before maturity
    with pinned_business_date(dt.date(2026, 12, 1)):  # the principal falls due 2027-01-15
        page = client.get("/reminders/maturities/").content.decode()
        assert county.with_phone.number in page and county.no_phone.number not in page  # other township
        rows = client.get("/api/v1/reminders/maturities").json()
        assert rows[0]["due_date"] == "2027-01-15" and rows[0]["principal_due"] == "50000.00"
        xlsx = client.get("/reminders/maturities/export/")
        assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
        village = county.tree.villages[1].code
        assert client.get(f"/api/v1/reminders/maturities?region={village}").json() == []


def test_hostile_input(county, client):
    close(county.due - dt.timedelta(days=30))
    client.force_login(county.county_user)
    assert client.get("/reminders/outbox/?status=bogus").status_code == 400
    assert client.get("/reminders/outbox/?status=" + "x" * 5000).status_code == 400
    assert client.get("/reminders/maturities/?region=abc").status_code == 400
    assert client.get("/reminders/maturities/?region=4112241").status_code == 400
    assert client.get("/reminders/settings/?county=999999").status_code == 400
    assert client.get("/api/v1/reminders/outbox?status=bogus").status_code == 422
    assert client.get("/api/v1/reminders/outbox?limit=100000000").status_code == 422
    assert client.get("/api/v1/reminders/maturities?region=" + "9" * 40).status_code == 422
    assert client.get("/api/v1/reminders/maturities?region=abc").status_code == 422
    for pk in ("abc", "99999999999999999999", "", "-1"):
        assert client.post("/reminders/outbox/", {"reminder": pk, "action": "retry"}).status_code == 404
    r = Reminder.objects.get(status=ReminderStatus.QUEUED)
    client.post("/reminders/outbox/", {"reminder": r.pk, "action": "retry"})  # not failed: refused, not a 500
    r.refresh_from_db()
    assert r.status == ReminderStatus.QUEUED
    clerk = make_user("village_station", scope_regions=[county.tree.villages[2].prefix])
    client.force_login(clerk)
    hand = Reminder.objects.get(status=ReminderStatus.BY_HAND)
    response = client.post("/reminders/outbox/", {"reminder": hand.pk, "action": "hand", "note": "长" * 500})
    assert response.status_code == 302
    hand.refresh_from_db()
    assert hand.status == ReminderStatus.BY_HAND
