"""Rating pages and API: a village clerk opens a campaign, enters the survey on the phone page and
votes; the county chooses a scorecard version for an era; scope holds."""

import datetime as dt

import pytest

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.rating.models import CountyScorecard, Rating, RatingCampaign, ScorecardVersion
from microcredit.domain.scorecards import PRESETS, scorecard_to_dict
from tests.factories import make_household, make_region_tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    tree = make_region_tree()
    village = tree.villages[0]
    hh = make_household(village, members=2)
    users = {"village": make_user("village_station", [village.prefix]),
             "other_village": make_user("village_station", [tree.villages[2].prefix]),
             "county": make_user("county_office", [tree.county.prefix])}
    with pinned_business_date(dt.date(2026, 3, 2)):
        yield tree, village, hh, users


def test_clerk_opens_campaign_surveys_and_votes(client, world):
    tree, village, hh, users = world
    client.force_login(users["village"])
    assert client.post("/rating/new/", {"village": village.code, "notice_days": 7}).status_code == 302
    campaign = RatingCampaign.objects.get()
    rating = Rating.objects.get(campaign=campaign, household=hh)
    page = client.get(f"/rating/ratings/{rating.pk}/")
    assert page.status_code == 200 and "入户摸底" in page.content.decode()
    client.post(f"/rating/ratings/{rating.pk}/", {"survey": "1", "income_per_head": "8000", "able_labourers": 2,
                                                  "skill": "some", "head_age": 45, "head_health": "healthy",
                                                  "dependants": 1, "overdue_episodes_3y": 0})
    client.post(f"/rating/ratings/{rating.pk}/", {"vote": "1", "voter": "村支书", "score": 90})
    rating.refresh_from_db()
    assert rating.facts["income_per_head"] == 800000 and rating.votes.count() == 1
    client.post(f"/rating/{campaign.pk}/act/", {"action": "submit"})
    client.post(f"/rating/{campaign.pk}/act/", {"action": "start_notice"})
    rating.refresh_from_db()
    # 90·.6 + income 80·.3 + basic 100·.1 = 88 → AAA
    assert (rating.score, rating.grade) == (88, "AAA")
    assert "第一轮公示" in client.get(f"/rating/{campaign.pk}/").content.decode()
    client.force_login(users["other_village"])
    assert client.get(f"/rating/{campaign.pk}/").status_code == 404
    assert client.get(f"/rating/ratings/{rating.pk}/").status_code == 404


def test_api_campaign_and_scorecard_versions(client, world):
    tree, village, hh, users = world
    client.force_login(users["village"])
    r = client.post("/api/v1/rating/campaigns", {"village_code": village.code}, content_type="application/json")
    assert r.status_code == 201
    pk = r.json()["id"]
    assert client.post(f"/api/v1/rating/campaigns/{pk}/actions", {"action": "approve"},
                       content_type="application/json").status_code == 409
    assert client.post(f"/api/v1/rating/campaigns/{pk}/actions", {"action": "submit"},
                       content_type="application/json").json()["state"] == "vote"
    assert client.post("/api/v1/rating/scorecards", {"definition": {}}, content_type="application/json").status_code == 403
    client.force_login(users["county"])
    definition = scorecard_to_dict(PRESETS["5221_sichuan"]._replace(validity_months=24))
    r = client.post("/api/v1/rating/scorecards", {"definition": definition, "note": "有效期2年"},
                    content_type="application/json")
    assert r.status_code == 201 and r.json()["version"] == 2
    assert client.post("/api/v1/rating/scorecards/choose", {"county_code": "411224", "era_code": "bangfu2026",
                                                             "scorecard_id": r.json()["id"]},
                       content_type="application/json").status_code == 201
    from microcredit.apps.rating.selectors import scorecard_for
    assert scorecard_for("411224", "bangfu2026").version == 2
    assert ScorecardVersion.objects.filter(code="5221_sichuan").count() == 2
    assert CountyScorecard.objects.count() == 1
