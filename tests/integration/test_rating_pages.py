"""Rating pages beyond campaigns: blacklist (list, add from a household, lift by decision), honours,
credit village / township evaluation and the county's scorecard choice — permissions, scope, and
each form writing through its service with an audit row."""

import datetime as dt

import pytest

from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.rating import sanctions, selectors
from microcredit.apps.rating.models import (
    BlacklistEntry, CountyScorecard, CreditRegion, Honour, Rating, RatingStatus,
)
from tests.factories import make_household, make_region_tree, make_user

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def world():
    tree = make_region_tree()
    a, b = tree.villages[0], tree.villages[2]
    hh_a = make_household(a, members=2, head_name="甲户王大山")
    hh_b = make_household(b, members=1, head_name="乙户赵小河")
    users = {"county": make_user("county_office", [tree.county.prefix]),
             "township": make_user("township_station", [tree.townships[0].prefix]),
             "village": make_user("village_station", [a.prefix]),
             "pboc": make_user("pboc", [tree.county.prefix])}
    with pinned_business_date(TODAY):
        yield tree, hh_a, hh_b, users


def _login(client, user):
    client.force_login(user)
    return client


def _audits(action, **kw):
    return AuditEntry.objects.filter(action=action, **kw).count()


def test_blacklist_list_is_scoped_and_refused_without_view_rating(client, world):
    tree, hh_a, hh_b, users = world
    sanctions.blacklist_add(household=hh_a, reason="甲户恶意逃废债", actor=None)
    sanctions.blacklist_add(household=hh_b, reason="乙户恶意逃废债", actor=None)
    html = _login(client, users["county"]).get("/rating/blacklist/").content.decode()
    assert "甲户恶意逃废债" in html and "乙户恶意逃废债" in html and "解除" in html
    html = _login(client, users["township"]).get("/rating/blacklist/").content.decode()
    assert "甲户恶意逃废债" in html and "乙户恶意逃废债" not in html
    assert "/lift/" not in html  # only the county office may lift
    assert _login(client, users["pboc"]).get("/rating/blacklist/").status_code == 403


def test_county_lists_a_household_from_its_page(client, world):
    tree, hh_a, hh_b, users = world
    _login(client, users["county"])
    detail = client.get(f"/households/{hh_a.pk}/").content.decode()
    assert f"/rating/blacklist/add/{hh_a.pk}/" in detail and f"/rating/honours/add/{hh_a.pk}/" in detail
    assert client.get(f"/rating/blacklist/add/{hh_a.pk}/").status_code == 200
    r = client.post(f"/rating/blacklist/add/{hh_a.pk}/", {"reason": "拒不还款、转移财产", "on": "2026-03-01",
                                                          "malicious": "on"})
    assert r.status_code == 302
    entry = BlacklistEntry.objects.get(household=hh_a)
    assert entry.listed_on == dt.date(2026, 3, 1) and entry.until == dt.date(2031, 3, 1)
    assert len(entry.covered_id_numbers) == 3
    assert _audits("rating.blacklist.add", household_id=hh_a.pk) == 1
    assert selectors.is_blacklisted(hh_a, TODAY)


def test_blacklist_add_refused_for_wrong_role_and_out_of_scope(client, world):
    tree, hh_a, hh_b, users = world
    for role in ("township", "village", "pboc"):
        _login(client, users[role])
        assert client.get(f"/rating/blacklist/add/{hh_a.pk}/").status_code == 403
        assert client.post(f"/rating/blacklist/add/{hh_a.pk}/", {"reason": "x", "on": "2026-03-01"}).status_code == 403
    assert not BlacklistEntry.objects.exists() and _audits("rating.blacklist.add") == 0
    other_county = make_user("county_office", ["411225"], username="other_county")
    assert _login(client, other_county).get(f"/rating/blacklist/add/{hh_a.pk}/").status_code == 404


def test_lift_needs_a_decision(client, world):
    tree, hh_a, hh_b, users = world
    entry = sanctions.blacklist_add(household=hh_a, reason="恶意逃废债", actor=None)
    _login(client, users["township"])
    assert client.post(f"/rating/blacklist/{entry.pk}/lift/", {"decision": "x"}).status_code == 403
    _login(client, users["county"])
    assert client.get(f"/rating/blacklist/{entry.pk}/lift/").status_code == 200
    r = client.post(f"/rating/blacklist/{entry.pk}/lift/", {"decision": "   "})
    assert r.status_code == 200
    entry.refresh_from_db()
    assert entry.lifted_on is None
    r = client.post(f"/rating/blacklist/{entry.pk}/lift/", {"decision": "卢氏县联络办〔2026〕3号：已全额清偿"})
    assert r.status_code == 302
    entry.refresh_from_db()
    assert entry.lifted_on == TODAY and "3号" in entry.lift_decision
    assert _audits("rating.blacklist.lift", household_id=hh_a.pk) == 1
    assert not selectors.is_blacklisted(hh_a, TODAY)


def test_honour_raises_general_credit_and_is_audited(client, world):
    tree, hh_a, hh_b, users = world
    rating = Rating.objects.create(household=hh_a, region_code=hh_a.region_code,
                                   scorecard=selectors.scorecard_for("411224", "x"), grade="AA",
                                   credit_limit=3_000_000, status=RatingStatus.EFFECTIVE, valid_from=TODAY)
    assert _login(client, users["village"]).post(f"/rating/honours/add/{hh_a.pk}/",
                                                 {"kind": "model", "on": "2026-03-01"}).status_code == 403
    _login(client, users["county"])
    assert "标兵户" in client.get(f"/rating/honours/add/{hh_a.pk}/").content.decode()
    r = client.post(f"/rating/honours/add/{hh_a.pk}/", {"kind": "civilized", "on": "2026-03-01", "note": "县文明办"})
    assert r.status_code == 302
    assert Honour.objects.get(household=hh_a).kind == "civilized"
    rating.refresh_from_db()
    assert rating.honour_bonus == 5_000_000
    assert _audits("rating.honour", household_id=hh_a.pk) == 1
    assert "文明户" in client.get(f"/households/{hh_a.pk}/").content.decode()


def test_honour_and_blacklist_api(client, world):
    tree, hh_a, hh_b, users = world
    _login(client, users["township"])
    assert client.post("/api/v1/rating/honours", {"household_id": hh_a.pk, "kind": "integrity"},
                       content_type="application/json").status_code == 403
    _login(client, users["county"])
    r = client.post("/api/v1/rating/honours", {"household_id": hh_a.pk, "kind": "integrity"},
                    content_type="application/json")
    assert r.status_code == 201 and r.json()["bonus"] == "30000.00"
    assert client.post("/api/v1/rating/honours", {"household_id": hh_a.pk, "kind": "bogus"},
                       content_type="application/json").status_code == 422  # a bad value, not a conflict (was 409)
    sanctions.blacklist_add(household=hh_b, reason="乙户", actor=None)
    _login(client, users["township"])
    assert client.get("/api/v1/rating/honours").json()[0]["household_id"] == hh_a.pk
    assert client.get("/api/v1/rating/blacklist").json() == []
    _login(client, users["county"])
    assert [e["household_id"] for e in client.get("/api/v1/rating/blacklist").json()] == [hh_b.pk]


def test_credit_village_evaluation_page(client, world):
    tree, hh_a, hh_b, users = world
    sanctions.blacklist_add(household=hh_b, reason="恶意逃废债", actor=None)
    Rating.objects.create(household=hh_a, region_code=hh_a.region_code,
                          scorecard=selectors.scorecard_for("411224", "x"), grade="AA",
                          credit_limit=3_000_000, status=RatingStatus.EFFECTIVE, valid_from=TODAY)
    _login(client, users["village"])
    assert client.post("/rating/credit-villages/", {"year": 2026}).status_code == 403
    assert "评定管辖内" not in client.get("/rating/credit-villages/").content.decode()
    assert _login(client, users["pboc"]).get("/rating/credit-villages/").status_code == 403
    _login(client, users["county"])
    assert client.post("/rating/credit-villages/", {"year": 2026}).status_code == 302
    assert CreditRegion.objects.filter(year=2026).count() == 6  # 4 villages + 2 townships
    assert _audits("rating.credit_region") == 6
    east = CreditRegion.objects.get(region=tree.villages[0])
    assert east.granted and east.rated_share == 1
    dongming = CreditRegion.objects.get(region=tree.villages[2])
    assert not dongming.granted and dongming.malicious_defaults == 1
    html = _login(client, users["village"]).get("/rating/credit-villages/").content.decode()
    assert tree.villages[0].name in html and tree.villages[2].name not in html and "信用村" in html


def test_credit_regions_api(client, world):
    tree, hh_a, hh_b, users = world
    _login(client, users["township"])
    assert client.post("/api/v1/rating/credit-regions/evaluate", {"year": 2026},
                       content_type="application/json").status_code == 403
    _login(client, users["county"])
    r = client.post("/api/v1/rating/credit-regions/evaluate", {"year": 2026}, content_type="application/json")
    assert r.status_code == 201 and len(r.json()) == 6
    _login(client, users["township"])
    codes = {row["region_code"] for row in client.get("/api/v1/rating/credit-regions?year=2026").json()}
    assert codes == {tree.townships[0].code, tree.villages[0].code, tree.villages[1].code}


def test_county_chooses_scorecard_version(client, world):
    from microcredit.apps.reference.models import PolicyEra

    tree, hh_a, hh_b, users = world
    card = selectors.scorecard_for("411224", "x")
    era = PolicyEra.objects.current().first()
    _login(client, users["village"])
    page = client.get("/rating/scorecards/").content.decode()
    assert card.name in page and "选定</button>" not in page
    assert client.post("/rating/scorecards/", {"county_code": "411224", "era_code": era.code,
                                               "scorecard": card.pk}).status_code == 403
    assert _login(client, users["pboc"]).get("/rating/scorecards/").status_code == 403
    _login(client, users["county"])
    assert "选定</button>" in client.get("/rating/scorecards/").content.decode()
    r = client.post("/rating/scorecards/", {"county_code": "411224", "era_code": era.code, "scorecard": card.pk})
    assert r.status_code == 302
    chosen = CountyScorecard.objects.get()
    assert (chosen.county_code, chosen.era_code, chosen.scorecard_id) == ("411224", era.code, card.pk)
    assert _audits("scorecard.choose", region_code="411224") == 1
    # a county outside the user's scope is not a choice
    assert client.post("/rating/scorecards/", {"county_code": "411225", "era_code": era.code,
                                               "scorecard": card.pk}).status_code == 200
    assert CountyScorecard.objects.count() == 1


def test_menu_lists_the_new_pages(client, world):
    tree, hh_a, hh_b, users = world
    html = _login(client, users["county"]).get("/").content.decode()
    for url in ("/rating/blacklist/", "/rating/credit-villages/", "/rating/scorecards/"):
        assert url in html
    html = _login(client, users["pboc"]).get("/").content.decode()
    assert "/rating/blacklist/" not in html
