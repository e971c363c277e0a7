"""Origination pages and API: a village clerk applies in the UI; the township/county/bank approve and
disburse through the API with bearer tokens; scope holds in both."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.origination.models import LoanApplication
from tests.factories import CARD_NUMBER, make_bank, make_household, make_region_tree, make_user, next_id_number
from tests.integration.test_origination_flow import rate

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def world():
    tree = make_region_tree()
    village = tree.villages[0]
    hh = make_household(village, members=1, head_id_number=next_id_number(born=dt.date(1980, 5, 1)))
    rate(hh)
    bank = make_bank()
    users = {
        "village": make_user("village_station", [village.prefix]),
        "village_reviewer": make_user("village_station", [village.prefix]),  # four eyes on 村初审
        "township": make_user("township_station", [tree.townships[0].prefix]),
        "other_township": make_user("township_station", [tree.townships[1].prefix]),
        "county": make_user("county_office", [tree.county.prefix]),
        "bank": make_user("bank_officer", [tree.county.prefix], bank=bank),
    }
    with pinned_business_date(DAY):
        yield tree, hh, bank, users


def token(client, user):
    r = client.post("/api/v1/auth/token", {"username": user.username, "password": "pw-test-123"},
                    content_type="application/json")
    assert r.status_code == 200, r.content
    return {"HTTP_AUTHORIZATION": f"Bearer {r.json()['token']}"}


def test_ui_apply_shows_every_failure_then_saves(client, world):
    tree, hh, bank, users = world
    client.force_login(users["village"])
    url = f"/origination/new/{hh.pk}/"
    assert client.get(url).status_code == 200
    form = {"borrower": hh.members.get(relation="head").pk, "bank": bank.pk, "amount": "200000", "term_months": 48,
            "usage_mode": "self", "industry": "养殖", "purpose": "建房"}
    page = client.post(url, form).content.decode()
    assert "政策检查未通过" in page and "授信额度" in page and "贷款期限" in page and "贷款用途" in page
    form |= {"amount": "30000", "term_months": 36, "purpose": "养殖肉牛",
             "id_card": SimpleUploadedFile("id.png", b"\x89PNG\r\n\x1a\n0000", content_type="image/png")}
    r = client.post(url, form)
    app = LoanApplication.objects.get()
    assert r.status_code == 302 and app.documents.count() == 1
    assert client.post(f"/origination/{app.pk}/act/", {"action": "submit"}).status_code == 302
    app.refresh_from_db()
    assert app.state == "village_review"
    detail = client.get(f"/origination/{app.pk}/").content.decode()
    assert "村初审" in detail
    doc = app.documents.get()
    assert client.get(f"/origination/documents/{doc.pk}/").status_code == 200
    client.force_login(users["other_township"])
    assert client.get(f"/origination/documents/{doc.pk}/").status_code == 404
    assert client.get(f"/origination/{app.pk}/").status_code == 404


def test_api_walks_the_steps_and_disburses(client, world):
    tree, hh, bank, users = world
    village = token(client, users["village"])
    r = client.post("/api/v1/origination/applications", {
        "household_id": hh.pk, "bank_code": bank.code, "amount": "20000.00", "term_months": 12,
        "industry": "种植", "purpose": "种植香菇"}, **village)
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    act = lambda who, action, opinion="": client.post(
        f"/api/v1/origination/applications/{pk}/actions", {"action": action, "opinion": opinion},
        content_type="application/json", **token(client, users[who]))
    assert act("village", "submit").status_code == 200
    assert act("village", "approve").status_code == 409  # segregation of duties: not one's own submission
    assert act("village_reviewer", "approve").status_code == 200
    refused = act("other_township", "approve")
    assert refused.status_code == 404
    assert act("county", "approve").status_code == 409  # wrong state for the county
    assert act("township", "approve").json()["state"] == "county_review"
    assert act("county", "approve").json()["state"] == "bank_review"
    bank_auth = token(client, users["bank"])
    inbox = client.get("/api/v1/origination/inbox", **bank_auth).json()
    assert [a["id"] for a in inbox] == [pk]
    assert act("bank", "approve").json()["state"] == "approved"
    r = client.post(f"/api/v1/origination/applications/{pk}/disburse",
                    {"annual_rate": "3.50", "method": "bullet", "account_number": CARD_NUMBER},
                    content_type="application/json", **bank_auth)
    assert r.status_code == 409 and "利率上限" in r.json()["detail"]
    r = client.post(f"/api/v1/origination/applications/{pk}/disburse",
                    {"annual_rate": "3.00", "method": "bullet", "account_number": CARD_NUMBER},
                    content_type="application/json", **bank_auth)
    assert r.status_code == 200, r.content
    body = r.json()
    # 20,000 × 3 % × 365/360 = 608.33
    assert body["schedule"] == [{"seq": 1, "due_date": "2027-03-02", "principal": "20000.00", "interest": "608.33"}]
    assert body["application"]["state"] == "disbursed"


def test_api_check_returns_all_failures(client, world):
    tree, hh, bank, users = world
    auth = token(client, users["village"])
    r = client.post("/api/v1/origination/check", {
        "household_id": hh.pk, "bank_code": bank.code, "amount": "90000", "term_months": 60,
        "industry": "其他", "purpose": "购买理财"}, content_type="application/json", **auth)
    assert {f["rule"] for f in r.json()} == {"授信额度", "贷款期限", "贷款用途"}


def test_pages_render_for_each_role(client, world):
    tree, hh, bank, users = world
    for who in ("village", "township", "county", "bank"):
        client.force_login(users[who])
        assert client.get("/origination/").status_code == 200
        assert client.get("/todo/").status_code == 200
        assert client.get("/rating/").status_code == 200
        assert client.get("/").status_code == 200
