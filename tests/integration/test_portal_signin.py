"""Household sign-in (issue #14 §1, §4): a code by SMS (the file outbox) or a paper code from the village
station; the same answer for known and unknown numbers; codes expire in 10 minutes and die after 5 wrong
tries; code requests throttled per number and per IP; short sessions; a household's session or token
opens nothing outside the portal; every step audited; hostile input answered in Chinese, never 500."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from microcredit.apps.accounts.models import ApiToken, User
from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.portal.access import IDLE_KEY
from microcredit.apps.portal.models import PhoneCodeDevice
from microcredit.demo.context import DemoContext
from tests.factories import make_household, make_region_tree, make_user

pytestmark = pytest.mark.django_db
CODE = "/api/v1/portal/code"
TOKEN = "/api/v1/portal/token"


@pytest.fixture
def outbox(settings, tmp_path):
    path = tmp_path / "sms" / "outbox.jsonl"
    settings.SMS_FILE_PATH = str(path)
    settings.SMS_BACKEND = "microcredit.apps.reminders.sms.FileBackend"
    settings.MICROCREDIT_PORTAL_CODE_BACKOFF = 0  # tries one after another (the back-off has its own test)
    return path


def sent(path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def last_code(path) -> str:
    return re.search(r"验证码为(\d{6})", sent(path)[-1]["text"]).group(1)


@pytest.fixture
def tree():
    return make_region_tree()


@pytest.fixture
def household(tree):
    return make_household(tree.villages[0], members=1, phone="13912345678")


def post(client, url, body, **extra):
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


def later(monkeypatch, **delta):
    moment = timezone.now() + dt.timedelta(**delta)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_same_answer_for_known_unknown_and_throttled_numbers(client, household, outbox):
    known = post(client, CODE, {"phone": household.phone})
    unknown = post(client, CODE, {"phone": "13700000000"})
    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content and "验证码已发送" in known.json()["detail"]
    assert len(sent(outbox)) == 1 and sent(outbox)[0]["to"] == household.phone
    assert sent(outbox)[0]["kind"] == "portal_code"
    assert re.fullmatch(r"【小额信贷】您的登录验证码为\d{6}，10分钟内有效。如非本人操作请忽略。", sent(outbox)[0]["text"])
    for _ in range(3):
        throttled = post(client, CODE, {"phone": household.phone})
    assert throttled.status_code == 202 and throttled.content == known.content
    assert len(sent(outbox)) == 3  # 3 per 10 minutes per number


def test_a_member_phone_signs_in_and_the_token_opens_only_the_portal(client, household, outbox):
    member = household.members.exclude(relation="head").get()
    member.phone = "15811112222"
    member.save()
    assert post(client, CODE, {"phone": "158 1111 2222"}).status_code == 202  # spaces tolerated
    answer = post(client, TOKEN, {"phone": "15811112222", "code": last_code(outbox)})
    assert answer.status_code == 200, answer.content
    raw = answer.json()["token"]
    user = User.objects.get(username=f"hh-{household.number}")
    assert user.role == "household" and user.household == household and not user.has_usable_password()
    assert user.scope_regions == [] and not user.get_all_permissions()
    token = ApiToken.objects.get(user=user)
    assert dt.timedelta(hours=23) < token.expires_at - timezone.now() <= dt.timedelta(hours=24)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    for url in ("/api/v1/loans/", "/api/v1/households", "/api/v1/loans/1", "/api/v1/todo",
                "/api/v1/auth/tokens", "/api/v1/users", "/api/v1/regions/tree", "/api/v1/reminders/outbox",
                "/api/v1/origination/applications"):
        assert client.get(url, **auth).status_code in (401, 403), url
    assert client.delete(TOKEN, **auth).json() == {"revoked": True}
    assert client.delete(TOKEN, **auth).status_code == 401  # revoked


def test_a_household_session_is_refused_outside_the_portal_and_short(client, household, outbox):
    client.post("/portal/signin/", {"phone": household.phone})
    response = client.post("/portal/signin/code/", {"code": last_code(outbox), "next": "/portal/loans/"})
    assert response.status_code == 302 and response.url == "/portal/loans/"
    session = client.session
    assert session.get_expire_at_browser_close() and IDLE_KEY in session
    for url in ("/", "/households/", f"/households/{household.pk}/", "/loans/", "/admin/", "/api/v1/loans/",
                f"/api/v1/households/{household.pk}", "/api/v1/ledgers/loans", "/todo/", "/accounts/profile/"):
        assert client.get(url).status_code == 403, url
    assert client.get("/portal/signout/").status_code == 200


def test_the_session_ends_after_thirty_idle_minutes(client, household, outbox, monkeypatch):
    client.post("/portal/signin/", {"phone": household.phone})
    client.post("/portal/signin/code/", {"code": last_code(outbox)})
    later(monkeypatch, minutes=29)
    assert "退出登录" in client.get("/portal/signout/").content.decode()  # still signed in, deadline moved
    later(monkeypatch, minutes=29 + 31)
    page = client.get("/portal/signout/").content.decode()
    assert "您还没有登录" in page
    assert client.get("/households/").status_code != 403  # anonymous now: the login page's redirect


def test_code_expires_after_ten_minutes(client, household, outbox, monkeypatch):
    post(client, CODE, {"phone": household.phone})
    code = last_code(outbox)
    later(monkeypatch, minutes=10, seconds=1)
    answer = post(client, TOKEN, {"phone": household.phone, "code": code})
    assert answer.status_code == 401 and "验证码" in answer.json()["detail"]
    assert AuditEntry.objects.filter(action="portal.signin_failed", note__contains="已过期").exists()


def test_five_wrong_tries_kill_the_code(client, household, outbox):
    post(client, CODE, {"phone": household.phone})
    code = last_code(outbox)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        answer = post(client, TOKEN, {"phone": household.phone, "code": wrong})
        assert answer.status_code == 401 and f"还可以再试{left}次" in answer.json()["detail"]
    assert post(client, TOKEN, {"phone": household.phone, "code": wrong}).status_code == 401
    answer = post(client, TOKEN, {"phone": household.phone, "code": code})
    assert answer.status_code == 401 and "重新获取" in answer.json()["detail"]
    assert AuditEntry.objects.filter(action="portal.signin_failed").count() == 6
    post(client, CODE, {"phone": household.phone})  # a new code works
    assert post(client, TOKEN, {"phone": household.phone, "code": last_code(outbox)}).status_code == 200


def test_a_code_works_once(client, household, outbox):
    post(client, CODE, {"phone": household.phone})
    code = last_code(outbox)
    assert post(client, TOKEN, {"phone": household.phone, "code": code}).status_code == 200
    assert post(client, TOKEN, {"phone": household.phone, "code": code}).status_code == 401


def test_backoff_between_wrong_tries(client, household, outbox, settings, monkeypatch):
    settings.MICROCREDIT_PORTAL_CODE_BACKOFF = 1
    post(client, CODE, {"phone": household.phone})
    code = last_code(outbox)
    assert post(client, TOKEN, {"phone": household.phone, "code": "999999" if code != "999999" else "888888"}).status_code == 401
    refused = post(client, TOKEN, {"phone": household.phone, "code": code})
    assert refused.status_code == 401 and "稍等" in refused.json()["detail"]
    later(monkeypatch, seconds=2)
    assert post(client, TOKEN, {"phone": household.phone, "code": code}).status_code == 200


def test_code_requests_throttled_per_ip(client, tree, outbox, settings):
    settings.MICROCREDIT_PORTAL_CODE_RATE_IP = "2/hour"
    households = [make_household(tree.villages[0], phone=f"1360000000{i}") for i in range(3)]
    answers = {post(client, CODE, {"phone": h.phone}).content for h in households}
    assert len(answers) == 1 and [m["to"] for m in sent(outbox)] == ["13600000000", "13600000001"]
    other_ip = post(client, CODE, {"phone": households[2].phone}, REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 202 and sent(outbox)[-1]["to"] == "13600000002"
    assert AuditEntry.objects.filter(action="portal.code_not_sent", note__contains="过于频繁").count() == 1


def test_code_checks_throttled_per_ip(client, household, outbox, settings):
    settings.MICROCREDIT_PORTAL_VERIFY_RATE_IP = "2/10min"
    for _ in range(2):
        post(client, TOKEN, {"phone": "13700000000", "code": "123456"})
    answer = post(client, TOKEN, {"phone": household.phone, "code": "123456"})
    assert answer.status_code == 429 and "过于频繁" in answer.json()["detail"]


def test_a_number_of_two_households_is_unknown(client, tree, outbox):
    make_household(tree.villages[0], phone="13811110000")
    make_household(tree.villages[1], phone="13811110000")
    assert post(client, CODE, {"phone": "13811110000"}).status_code == 202
    assert sent(outbox) == []
    assert post(client, TOKEN, {"phone": "13811110000", "code": "123456"}).status_code == 401


def test_paper_code_flow(client, tree, household, outbox):
    clerk = make_user("village_station", scope_regions=[tree.villages[0].code])
    client.force_login(clerk)
    page = client.get("/portal/codes/", {"q": household.head_name})
    assert page.status_code == 200 and household.number in page.content.decode()
    issued = client.post(f"/portal/codes/?q={household.number}", {"household": household.pk})
    code = re.search(r"<kbd>(\d{6})</kbd>", issued.content.decode()).group(1)
    assert AuditEntry.objects.filter(action="portal.paper_code", actor=clerk, household_id=household.pk).exists()
    client.logout()
    member = household.members.exclude(relation="head").get()
    wrong = client.post("/portal/signin/paper/", {"id_number": member.id_number, "code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    signed = client.post("/portal/signin/paper/", {"id_number": member.id_number.lower(), "code": code})
    assert signed.status_code == 302 and signed.url == "/portal/"
    assert client.session.get_expire_at_browser_close()
    entry = AuditEntry.objects.get(action="portal.signin")
    assert entry.household_id == household.pk and "纸质" in entry.note
    assert AuditEntry.objects.filter(action="portal.signin_failed", household_id=household.pk).count() == 1
    assert client.get("/households/").status_code == 403


def test_paper_code_through_the_api(client, tree, household):
    from microcredit.apps.portal.signin import issue_paper_code

    clerk = make_user("village_station", scope_regions=[tree.villages[0].code])
    _, code = issue_paper_code(actor=clerk, household_id=household.pk)
    answer = post(client, TOKEN, {"id_number": household.head_id_number, "code": code})
    assert answer.status_code == 200 and answer.json()["token"]
    # the SMS device is untouched: a paper code does not open the phone route
    assert not PhoneCodeDevice.objects.filter(channel="sms").exists()


def test_paper_codes_only_by_the_village_of_the_household(client, tree, household):
    other_village = make_user("village_station", scope_regions=[tree.villages[1].code])
    client.force_login(other_village)
    assert f'value="{household.pk}"' not in client.get("/portal/codes/", {"q": household.number}).content.decode()
    refused = client.post("/portal/codes/", {"household": household.pk})
    assert refused.status_code == 400 and "不在您的管辖范围" in refused.content.decode()
    for bad in ("", "abc", "9" * 40, "1\x00"):
        assert client.post("/portal/codes/", {"household": bad}).status_code == 400
    township = make_user("township_station", scope_regions=[tree.townships[0].code[:9]])
    client.force_login(township)
    assert client.get("/portal/codes/").status_code == 403
    client.logout()
    assert client.get("/portal/codes/").status_code == 302
    assert not PhoneCodeDevice.objects.exists()


@pytest.mark.parametrize("body", [
    {}, {"phone": ""}, {"phone": "abc"}, {"phone": "1" * 5000}, {"phone": "1391234\x005678"}, {"phone": 13912345678},
    {"phone": ["13912345678"]}, {"phone": {"a": 1}}, {"phone": "23912345678"}, {"phone": "0371-62345678"},
])
def test_hostile_code_requests(client, household, outbox, body):
    answer = post(client, CODE, body)
    assert answer.status_code == 422 and re.search(r"[\u4e00-\u9fff]", answer.json()["detail"])
    assert sent(outbox) == []


@pytest.mark.parametrize("body", [
    {"phone": "13912345678"}, {"phone": "13912345678", "code": "12345"}, {"phone": "13912345678", "code": "12345a"},
    {"phone": "13912345678", "code": "1" * 9000}, {"phone": "13912345678", "code": "12\x003456"},
    {"id_number": "411224", "code": "123456"}, {"id_number": "X" * 300, "code": "123456"}, {"code": "123456"},
    {"id_number": 123, "code": "123456"}, {"phone": "13912345678", "code": 123456},
])
def test_hostile_token_requests(client, household, outbox, body):
    answer = post(client, TOKEN, body)
    assert 400 <= answer.status_code < 500 and re.search(r"[\u4e00-\u9fff]", str(answer.json()["detail"]))


def test_malformed_json_is_a_4xx(client):
    assert client.post(CODE, "{not json", content_type="application/json").status_code < 500
    assert client.post(TOKEN, "\x00", content_type="application/json").status_code < 500


@pytest.mark.parametrize("phone", ["", "abc", "1" * 500, "139\x0012345678"])
def test_hostile_signin_pages(client, household, outbox, phone):
    answer = client.post("/portal/signin/", {"phone": phone})
    assert answer.status_code == 400 and "手机号" in answer.content.decode()
    assert client.post("/portal/signin/paper/", {"id_number": phone, "code": phone}).status_code == 400
    assert client.get("/portal/signin/code/").status_code == 302  # no number asked yet
    assert client.get("/portal/signin/", {"next": "https://evil.example/"}).status_code == 200


def test_signin_pages_answer_the_same_and_offsite_next_is_ignored(client, household, outbox):
    known = client.post("/portal/signin/", {"phone": household.phone, "next": "//evil.example/"})
    unknown = client.post("/portal/signin/", {"phone": "13700000000"})
    assert known.status_code == unknown.status_code == 302 and known.url == unknown.url == "/portal/signin/code/?next=%2Fportal%2F"
    client.post("/portal/signin/", {"phone": household.phone})
    response = client.post("/portal/signin/code/", {"code": last_code(outbox), "next": "https://evil.example/"})
    assert response.url == "/portal/"
    signout = client.post("/portal/signout/")
    assert signout.status_code == 302 and AuditEntry.objects.filter(action="portal.signout").exists()
    assert "_auth_user_id" not in client.session


def test_audit_rows_are_written_and_mask_the_number(client, household, outbox):
    post(client, CODE, {"phone": household.phone})
    post(client, CODE, {"phone": "13700000000"})
    post(client, TOKEN, {"phone": household.phone, "code": last_code(outbox)})
    actions = list(AuditEntry.objects.filter(action__startswith="portal.").values_list("action", flat=True))
    assert sorted(actions) == ["portal.code_not_sent", "portal.code_sent", "portal.signin"]
    assert not AuditEntry.objects.filter(object_repr__contains=household.phone).exists()
    from microcredit.apps.audit.services import AUDIT_ACTIONS

    assert all(a in AUDIT_ACTIONS for a in actions)


def test_demo_portal_step(tree, business_day):
    from microcredit.apps.loans.models import Loan
    from microcredit.demo.logins import demo_portal_rows
    from microcredit.demo.portal import create_portal
    from microcredit.apps.portal.signin import household_for_phone
    from tests.batch.portfolio import County

    county = County()
    shared = make_household(county.tree.villages[0], phone="13500000000")
    twin = make_household(county.tree.villages[1], phone="13500000000")
    loans = [county.loan(household=shared, disbursed=dt.date(2026, 1, 15)), county.loan(household=twin, disbursed=dt.date(2026, 1, 15))]
    Loan.objects.filter(pk=loans[0].pk).update(next_due_date=business_day + dt.timedelta(days=5))
    Loan.objects.filter(pk=loans[1].pk).update(days_past_due=12)
    ctx = DemoContext(seed=1, rng=None, scale=None, business_date=business_day)
    create_portal(ctx)
    picked = ctx.extra["portal"]["households"]
    assert picked[0]["loan"] == loans[0].pk  # the loan due soonest; the second pick may apply (none here: unrated)
    assert all(h["loan"] is None for h in picked[1:])
    assert len({h["phone"] for h in picked}) == len(picked)
    for h in picked:
        assert household_for_phone(h["phone"]).pk == h["id"]
    assert [r[0] for r in demo_portal_rows()] == [h["phone"] for h in picked]
