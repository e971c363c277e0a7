"""Rating campaigns and the registry's confidentiality (issue #9, ARCHITECTURE §5, DOMAIN §3, §12).

A bank sees a campaign only from its bank review on, only in villages its branches serve, and never
the survey answers or the committee's votes; only the serving bank does the bank review. Notice
lengths come from the county's setting, never from the caller. One login never approves a step it
moved the campaign into. Every input is bounded: nothing answers 500.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.core.models import SystemSetting
from microcredit.apps.rating import selectors, services
from microcredit.apps.rating.models import RatingCampaign
from microcredit.apps.reference.models import Branch
from tests.factories import make_bank, make_household, make_region_tree, make_user

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)
TODAY = DAY + dt.timedelta(days=30)
API = "/api/v1/rating"
VOTER = "评议委员王二麻"
OBJECTION = "异议：其家庭收入填报偏低"

# (action, who) in order; a campaign stopped after k steps stands in state STATES[k].
PATH = [("submit", "village"), ("start_notice", "village"), ("close_notice", "village"), ("approve", "township"),
        ("approve", "county"), ("approve", "bank"), ("start_notice", "village"), ("close_notice", "village")]
OFFSETS = [0, 0, 7, 8, 9, 10, 10, 17]
STATES = ["survey", "vote", "notice1", "township_review", "county_review", "bank_review", "approved", "notice2",
          "effective"]


class World:
    """Two townships: 城关镇 (village A, served by bank A's branch) and 东明镇 (village B, bank B)."""

    def __init__(self):
        tree = make_region_tree()
        self.tree = tree
        county = tree.county.prefix
        self.village = {"A": tree.villages[0], "B": tree.villages[2]}
        self.bank = {"A": make_bank("NSH", "卢氏农商银行"), "B": make_bank("YCB", "邮储银行卢氏县支行")}
        Branch.objects.create(bank=self.bank["A"], name="农商行城关支行", region=tree.townships[0])
        Branch.objects.create(bank=self.bank["B"], name="邮储东明支行", region=tree.townships[1])
        self.users = {
            "county": make_user("county_office", [county]),
            "bankA": make_user("bank_officer", [county], bank=self.bank["A"]),
            "bankB": make_user("bank_officer", [county], bank=self.bank["B"]),
            "admin": make_user("admin", is_superuser=True),
        }
        for side, township in (("A", tree.townships[0]), ("B", tree.townships[1])):
            self.users[f"village{side}"] = make_user("village_station", [self.village[side].prefix])
            self.users[f"township{side}"] = make_user("township_station", [township.prefix])
        for side in "AB":
            make_household(self.village[side], members=1, head_name=f"{side}户户主")

    def actor(self, who: str, side: str):
        return self.users["county"] if who == "county" else self.users[f"{who}{side}"]

    def campaign(self, side: str, steps: int, *, objection: bool = False) -> RatingCampaign:
        """A campaign of ``side``'s village after ``steps`` steps of PATH (real services, real users)."""
        village = self.village[side]
        card = selectors.scorecard_for(village.code[:6], "x")
        campaign = services.campaign_create(village=village, scorecard=card, actor=self.users[f"village{side}"],
                                            on=DAY)
        for rating in campaign.ratings.all():
            services.vote_record(rating=rating, voter=VOTER, score=90, actor=self.users[f"village{side}"])
        for i, (action, who) in enumerate(PATH[:steps]):
            on = DAY + dt.timedelta(days=OFFSETS[i])
            if objection and action == "close_notice" and campaign.state == "notice1":
                row = services.objection_raise(campaign=campaign, raised_by="村民李四", text=OBJECTION,
                                               rating=campaign.ratings.first(), on=on)
                services.objection_resolve(objection=row, resolution="经核实无误", actor=self.users[f"village{side}"])
            campaign = services.campaign_transition(campaign=campaign, action=action, actor=self.actor(who, side),
                                                    on=on, opinion="同意")
        assert campaign.state == STATES[steps]
        return campaign


@pytest.fixture
def world():
    with pinned_business_date(TODAY):
        yield World()


@pytest.fixture
def campaigns(world):
    """Side A: one campaign in every state; side B: one at the bank review."""
    with pinned_business_date(TODAY):
        a = {STATES[k]: world.campaign("A", k, objection=k >= 3) for k in range(len(STATES))}
        b = world.campaign("B", 5)
    return a, b


def api_get(client, url):
    r = client.get(url)
    return r.status_code, r.json()


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


# ------------------------------------------------------------------------------------ who sees what


def test_bank_lists_only_campaigns_at_or_after_its_review_in_villages_it_serves(client, world, campaigns):
    a, b = campaigns
    visible_a = {a[s].number for s in ("bank_review", "approved", "notice2", "effective")}
    with pinned_business_date(TODAY):
        client.force_login(world.users["bankA"])
        status, rows = api_get(client, f"{API}/campaigns")
        assert status == 200 and {r["number"] for r in rows} == visible_a
        assert api_get(client, f"{API}/campaigns?state=survey")[1] == []
        for state in ("survey", "vote", "notice1", "township_review", "county_review"):
            assert client.get(f"{API}/campaigns/{a[state].pk}/ratings").status_code == 404
        assert client.get(f"{API}/campaigns/{b.pk}/ratings").status_code == 404  # bank B's village

        client.force_login(world.users["bankB"])
        assert {r["number"] for r in api_get(client, f"{API}/campaigns")[1]} == {b.number}
        assert client.get(f"{API}/campaigns/{a['bank_review'].pk}/ratings").status_code == 404

        client.force_login(world.users["county"])  # the county office still sees every stage of its county
        assert len(api_get(client, f"{API}/campaigns")[1]) == len(STATES) + 1


def test_bank_gets_ratings_without_survey_or_votes(client, world, campaigns):
    a, _ = campaigns
    with pinned_business_date(TODAY):
        client.force_login(world.users["bankA"])
        r = client.get(f"{API}/campaigns/{a['bank_review'].pk}/ratings")
        assert r.status_code == 200 and len(r.json()) == 1
        row = r.json()[0]
        assert row["grade"] and not {"facts", "votes", "factor_scores"} & set(row)
        assert VOTER not in r.content.decode("unicode_escape")


def test_bank_pages_follow_the_same_rule_and_hide_votes_and_objections(client, world, campaigns):
    a, b = campaigns
    with pinned_business_date(TODAY):
        client.force_login(world.users["bankA"])
        listing = client.get("/rating/").content.decode()
        for state, campaign in a.items():
            assert (campaign.number in listing) == (state in ("bank_review", "approved", "notice2", "effective"))
        assert b.number not in listing
        assert client.get(f"/rating/{a['county_review'].pk}/").status_code == 404
        assert client.get(f"/rating/{b.pk}/").status_code == 404
        page = client.get(f"/rating/{a['bank_review'].pk}/")
        html = page.content.decode()
        assert page.status_code == 200 and "A户户主" in html and "银行评审" in html
        assert "评议票数" not in html and OBJECTION not in html and VOTER not in html
        assert client.get(f"/rating/ratings/{a['bank_review'].ratings.first().pk}/").status_code in (403, 404)

        client.force_login(world.users["townshipA"])  # the township reviews with the votes and objections
        html = client.get(f"/rating/{a['bank_review'].pk}/").content.decode()
        assert "评议票数" in html and OBJECTION in html


def test_bank_sees_household_ratings_and_blacklist_only_in_served_villages(client, world, campaigns):
    from microcredit.apps.rating import sanctions

    a, b = campaigns
    with pinned_business_date(TODAY):
        hh_a, hh_b = a["effective"].ratings.first().household, b.ratings.first().household
        sanctions.blacklist_add(household=hh_b, reason="恶意逃废债乙", actor=world.users["county"], on=DAY)
        client.force_login(world.users["bankA"])
        assert client.get(f"{API}/households/{hh_a.pk}/rating").status_code == 200
        assert client.get(f"{API}/households/{hh_b.pk}/rating").status_code == 404
        assert "恶意逃废债乙" not in client.get(f"{API}/blacklist").content.decode("unicode_escape")
        assert "恶意逃废债乙" not in client.get("/rating/blacklist/").content.decode()
        client.force_login(world.users["bankB"])
        assert "恶意逃废债乙" in client.get(f"{API}/blacklist").content.decode("unicode_escape")


# ------------------------------------------------------------------------------------ the bank review


def test_only_the_bank_serving_the_village_does_its_bank_review(client, world, campaigns):
    a, _ = campaigns
    campaign = a["bank_review"]
    with pinned_business_date(TODAY):
        with pytest.raises(services.WorkflowRefused, match="服务该村的银行"):
            services.campaign_transition(campaign=campaign, action="approve", actor=world.users["bankB"])
        client.force_login(world.users["bankB"])
        r = post_json(client, f"{API}/campaigns/{campaign.pk}/actions", {"action": "approve"})
        assert r.status_code == 404 and "管辖范围" in r.json()["detail"]
        r = client.post(f"/rating/{campaign.pk}/act/", {"action": "approve"})
        assert r.status_code == 404
        campaign.refresh_from_db()
        assert campaign.state == "bank_review"

        client.force_login(world.users["bankA"])
        r = post_json(client, f"{API}/campaigns/{campaign.pk}/actions", {"action": "approve", "opinion": "同意"})
        assert r.status_code == 200 and r.json()["state"] == "approved"


# ------------------------------------------------------------------------------------ notice lengths


def test_notice_days_in_the_payload_is_refused_and_cannot_shorten_the_notices(client, world):
    village = world.village["A"]
    with pinned_business_date(TODAY):
        client.force_login(world.users["villageA"])
        for days in (0, -10, 2**40, 7):
            r = post_json(client, f"{API}/campaigns", {"village_code": village.code, "notice_days": days})
            assert r.status_code == 422, (days, r.status_code)
        assert not RatingCampaign.objects.exists()
        r = post_json(client, f"{API}/campaigns", {"village_code": village.code})
        assert r.status_code == 201
        pk = r.json()["id"]
        for action in ("submit", "start_notice"):
            assert post_json(client, f"{API}/campaigns/{pk}/actions", {"action": action}).status_code == 200
        campaign = RatingCampaign.objects.get(pk=pk)
        assert campaign.notice1_ends_on == TODAY + dt.timedelta(days=7)
        r = post_json(client, f"{API}/campaigns/{pk}/actions", {"action": "close_notice"})
        assert r.status_code == 409 and "尚未结束" in r.json()["detail"]
        assert RatingCampaign.objects.get(pk=pk).state == "notice1"

        # The page form has no notice field either: a posted notice_days changes nothing.
        assert client.post("/rating/new/", {"village": village.code, "notice_days": "0"}).status_code == 302
        assert RatingCampaign.objects.exclude(pk=pk).get().notice_days == 7


def test_notice_length_is_the_county_setting(world):
    village = world.village["A"]
    card = selectors.scorecard_for(village.code[:6], "x")
    SystemSetting.objects.create(key="rating.notice_days.411224", value="10")
    campaign = services.campaign_create(village=village, scorecard=card, actor=world.users["villageA"], on=DAY)
    for action in ("submit", "start_notice"):
        campaign = services.campaign_transition(campaign=campaign, action=action, actor=world.users["villageA"], on=DAY)
    assert campaign.notice_days == 10 and campaign.notice1_ends_on == DAY + dt.timedelta(days=10)
    with pytest.raises(services.WorkflowRefused, match="尚未结束"):
        services.campaign_transition(campaign=campaign, action="close_notice", actor=world.users["villageA"],
                                     on=DAY + dt.timedelta(days=9))
    # A setting outside [5, 30] stops the campaign with a Chinese message instead of shortening the notice.
    SystemSetting.objects.filter(key="rating.notice_days.411224").update(value="0")
    with pytest.raises(services.DomainError, match="公示天数"):
        services.campaign_create(village=village, scorecard=card, actor=world.users["villageA"], on=DAY)


def test_the_database_refuses_a_campaign_without_a_real_notice(world):
    from django.db import IntegrityError, transaction

    campaign = services.campaign_create(village=world.village["A"], actor=world.users["villageA"], on=DAY,
                                        scorecard=selectors.scorecard_for("411224", "x"))
    with pytest.raises(IntegrityError), transaction.atomic():
        RatingCampaign.objects.filter(pk=campaign.pk).update(notice_days=0)


# ------------------------------------------------------------------------------------ bounded input


@pytest.mark.parametrize("method, url, data", [
    ("get", f"{API}/campaigns/99999999999999999999/ratings", None),
    ("get", f"{API}/campaigns/-1/ratings", None),
    ("get", f"{API}/campaigns?state={'x' * 100}", None),
    ("get", f"{API}/households/99999999999999999999/rating", None),
    ("get", f"{API}/honours?household_id=99999999999999999999", None),
    ("get", f"{API}/credit-regions?year=1000000000000", None),
    ("get", f"{API}/credit-regions?year=abc", None),
    ("post", f"{API}/campaigns", {"village_code": "9" * 40}),
    ("post", f"{API}/campaigns/99999999999999999999/actions", {"action": "submit"}),
    ("post", f"{API}/campaigns/{{pk}}/actions", {"action": "x" * 100}),
    ("post", f"{API}/campaigns/{{pk}}/actions", {"action": "return", "opinion": "退回\x00"}),
    ("post", f"{API}/ratings/{{rating}}/votes", {"voter": "委员", "score": 2**40}),
    ("post", f"{API}/ratings/{{rating}}/votes", {"voter": "委员", "score": -10}),
    ("post", f"{API}/ratings/{{rating}}/votes", {"voter": "委" * 100, "score": 90}),
    ("post", f"{API}/blacklist", {"household_id": 2**70, "reason": "恶意逃废债"}),
    ("post", f"{API}/blacklist/99999999999999999999/lift", {"decision": "决定"}),
    ("post", f"{API}/honours", {"household_id": 1, "kind": "integrity", "on": "9999-12-01"}),
    ("post", f"{API}/honours", {"household_id": 1, "kind": "integrity", "on": "2026-99-99"}),
    ("post", f"{API}/credit-regions/evaluate", {"year": 10**12}),
    ("post", f"{API}/scorecards/choose", {"county_code": "4" * 50, "era_code": "x", "scorecard_id": 1}),
    ("post", f"{API}/scorecards/choose", {"county_code": "411224", "era_code": "x", "scorecard_id": 2**64}),
])
def test_api_answers_4xx_never_500(client, world, method, url, data):
    with pinned_business_date(TODAY):
        campaign = world.campaign("A", 1)
        url = url.replace("{pk}", str(campaign.pk)).replace("{rating}", str(campaign.ratings.first().pk))
        client.force_login(world.users["admin"])
        r = client.get(url) if method == "get" else post_json(client, url, data)
        assert 400 <= r.status_code < 500, (url, r.status_code)


@pytest.mark.parametrize("url, data", [
    ("/rating/{pk}/act/", {"action": "return", "opinion": "退回\x00"}),
    ("/rating/{pk}/act/", {"action": "x" * 100}),
    ("/rating/blacklist/add/{hh}/", {"reason": "恶意逃废债", "on": "9999-12-01"}),
    ("/rating/blacklist/add/{hh}/", {"reason": "恶意逃废债", "on": "2026-99-99"}),
    ("/rating/honours/add/{hh}/", {"kind": "integrity", "on": "9999-12-01"}),
    ("/rating/credit-villages/", {"year": "1000000000000"}),
    ("/rating/objections/99999999999999999999/resolve/", {"resolution": "x"}),
    ("/rating/objections/12345/resolve/", {"resolution": "x"}),
    ("/rating/99999999999999999999/act/", {"action": "submit"}),
])
def test_pages_answer_without_500_and_change_nothing(client, world, url, data):
    from microcredit.apps.rating.models import BlacklistEntry, CreditRegion, Honour

    with pinned_business_date(TODAY):
        campaign = world.campaign("A", 1)
        hh = campaign.ratings.first().household
        client.force_login(world.users["admin"])
        r = client.post(url.format(pk=campaign.pk, hh=hh.pk), data)
        assert r.status_code in (200, 302, 400, 404), r.status_code
        campaign.refresh_from_db()
        assert campaign.state == "vote"
        assert not (BlacklistEntry.objects.exists() or Honour.objects.exists() or CreditRegion.objects.exists())


# ------------------------------------------------------------------------------------ four eyes


def test_one_login_never_approves_the_step_it_moved_the_campaign_into(client, world):
    admin = world.users["admin"]
    with pinned_business_date(TODAY):
        campaign = world.campaign("A", 2)  # in the first notice
        services.campaign_transition(campaign=campaign, action="close_notice", actor=admin,
                                     on=DAY + dt.timedelta(days=7))
        client.force_login(admin)
        url = f"{API}/campaigns/{campaign.pk}/actions"
        r = post_json(client, url, {"action": "approve"})  # closed the notice itself: no township approval
        assert r.status_code == 409 and "职责分离" in r.json()["detail"]
        services.campaign_transition(campaign=campaign, action="approve", actor=world.users["townshipA"])
        assert post_json(client, url, {"action": "approve"}).json()["state"] == "bank_review"
        r = post_json(client, url, {"action": "approve"})  # approved the county review: not the bank's too
        assert r.status_code == 409 and "职责分离" in r.json()["detail"]
        client.force_login(world.users["bankA"])
        assert post_json(client, url, {"action": "approve"}).json()["state"] == "approved"
        # The village's second notice is not an approval: the rule does not stop the next plain step.
        client.force_login(admin)
        assert post_json(client, url, {"action": "start_notice"}).status_code == 200


@pytest.mark.parametrize("change", [
    {"name": "评分卡\x00"}, {"name": "名" * 100}, {"code": "c" * 40}, {"validity_months": 2**70},
    {"validity_months": 100000}, {"grades": [["A" * 20, 60, 2_000_000]]}, {"grades": [["A", 60, 10**20]]},
])
def test_a_scorecard_beyond_the_columns_is_refused_with_422(client, world, change):
    from microcredit.apps.rating.models import ScorecardVersion
    from microcredit.domain.scorecards import PRESETS, scorecard_to_dict

    definition = scorecard_to_dict(PRESETS["631_yanchi"]) | change
    client.force_login(world.users["county"])
    before = ScorecardVersion.objects.count()
    r = post_json(client, f"{API}/scorecards", {"definition": definition})
    assert r.status_code == 422 and r.json()["detail"]
    assert ScorecardVersion.objects.count() == before
