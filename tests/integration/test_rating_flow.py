"""Rating campaigns (DOMAIN §3, §12): survey, votes, two notices, four-level review, effect."""

import datetime as dt

import pytest

from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.rating import sanctions, selectors, services
from microcredit.apps.rating.models import Rating, RatingStatus
from microcredit.apps.reference.models import Branch
from tests.factories import make_bank, make_household, make_region_tree, make_user, next_id_number

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def world():
    tree = make_region_tree()
    village = tree.villages[0]
    hh = make_household(village, members=2, income_per_head=1_200_000,
                        head_id_number=next_id_number(born=dt.date(1980, 5, 1)))
    bank = make_bank()
    # The bank serves the village through a branch in its township (only it may do the bank review).
    Branch.objects.create(bank=bank, name="城关支行", region=tree.townships[0])
    users = {
        "village": make_user("village_station", [village.prefix]),
        "township": make_user("township_station", [tree.townships[0].prefix]),
        "other_township": make_user("township_station", [tree.townships[1].prefix]),
        "county": make_user("county_office", [tree.county.prefix]),
        "bank": make_user("bank_officer", [tree.county.prefix], bank=bank),
    }
    return tree, village, hh, users


def run_campaign(village, users, day=DAY, votes=(90, 100)):
    card = selectors.scorecard_for(village.code[:6], "bangfu2026")
    campaign = services.campaign_create(village=village, scorecard=card, actor=users["village"], on=day)
    for rating in campaign.ratings.all():
        for i, score in enumerate(votes):
            services.vote_record(rating=rating, voter=f"委员{i}", score=score, actor=users["village"])
    step = lambda action, who, on, opinion="": services.campaign_transition(
        campaign=campaign, action=action, actor=users[who], on=on, opinion=opinion)
    step("submit", "village", day)
    step("start_notice", "village", day)
    step("close_notice", "village", day + dt.timedelta(days=7))
    step("approve", "township", day + dt.timedelta(days=8))
    step("approve", "county", day + dt.timedelta(days=9))
    step("approve", "bank", day + dt.timedelta(days=10))
    step("start_notice", "village", day + dt.timedelta(days=10))
    return step, campaign


def test_campaign_runs_to_effective_grade(world):
    tree, village, hh, users = world
    step, campaign = run_campaign(village, users)
    step("close_notice", "village", DAY + dt.timedelta(days=17))
    rating = Rating.objects.get(household=hh)
    # 631 盐池: integrity 95·.6 + income 100·.3 + basic 100·.1 = 97 → AAAA 5万
    assert (rating.grade, rating.credit_limit, rating.status) == ("AAAA", 5_000_000, RatingStatus.EFFECTIVE)
    assert rating.valid_until == dt.date(2029, 3, 19)
    assert campaign.transitions.count() == 8
    assert AuditEntry.objects.filter(household_id=hh.pk, action="rating.effective").exists()
    head = hh.members.get(relation="head")
    with __import__("microcredit.apps.core.clock", fromlist=["x"]).pinned_business_date(dt.date(2027, 1, 1)):
        assert selectors.rating_for_member(head) == ("AAAA", 5_000_000)


def test_notice_cannot_close_early_or_with_open_objection(world):
    tree, village, hh, users = world
    card = selectors.scorecard_for(village.code[:6], "x")
    campaign = services.campaign_create(village=village, scorecard=card, actor=users["village"], on=DAY)
    services.campaign_transition(campaign=campaign, action="submit", actor=users["village"], on=DAY)
    services.campaign_transition(campaign=campaign, action="start_notice", actor=users["village"], on=DAY)
    with pytest.raises(services.WorkflowRefused, match="尚未结束"):
        services.campaign_transition(campaign=campaign, action="close_notice", actor=users["village"], on=DAY)
    objection = services.objection_raise(campaign=campaign, raised_by="村民李四", text="收入填报偏高",
                                         rating=campaign.ratings.first(), on=DAY)
    later = DAY + dt.timedelta(days=7)
    with pytest.raises(services.WorkflowRefused, match="异议"):
        services.campaign_transition(campaign=campaign, action="close_notice", actor=users["village"], on=later)
    services.objection_resolve(objection=objection, resolution="经核实收入无误", actor=users["village"])
    services.campaign_transition(campaign=campaign, action="close_notice", actor=users["village"], on=later)


def test_wrong_role_and_wrong_township_refused(world):
    tree, village, hh, users = world
    card = selectors.scorecard_for(village.code[:6], "x")
    campaign = services.campaign_create(village=village, scorecard=card, actor=users["village"], on=DAY)
    with pytest.raises(services.WorkflowRefused, match="无权"):
        services.campaign_transition(campaign=campaign, action="submit", actor=users["county"], on=DAY)
    for action in ("submit", "start_notice"):
        services.campaign_transition(campaign=campaign, action=action, actor=users["village"], on=DAY)
    services.campaign_transition(campaign=campaign, action="close_notice", actor=users["village"],
                                 on=DAY + dt.timedelta(days=7))
    with pytest.raises(services.WorkflowRefused, match="管辖"):
        services.campaign_transition(campaign=campaign, action="approve", actor=users["other_township"], on=DAY)


def test_blacklist_covers_family_and_lifts_by_decision(world):
    tree, village, hh, users = world
    entry = sanctions.blacklist_add(household=hh, reason="恶意拖欠", actor=users["county"], on=DAY)
    assert entry.until == dt.date(2031, 3, 2)
    assert len(entry.covered_id_numbers) == 3
    # A son who set up his own household is covered too.
    son_id = hh.members.get(relation="child").id_number
    from microcredit.apps.households.models import Member
    other = make_household(tree.villages[1])
    Member.objects.filter(id_number=son_id).update(household=other)
    assert selectors.is_blacklisted(other, DAY + dt.timedelta(days=1))
    with pytest.raises(Exception):
        sanctions.blacklist_lift(entry=entry, decision=" ", actor=users["county"])
    sanctions.blacklist_lift(entry=entry, decision="县领导小组决定解除", actor=users["county"])
    assert not selectors.is_blacklisted(hh, DAY + dt.timedelta(days=2))


def test_honour_adds_general_credit_and_scorecard_versions_are_kept(world):
    tree, village, hh, users = world
    step, campaign = run_campaign(village, users)
    step("close_notice", "village", DAY + dt.timedelta(days=17))
    sanctions.honour_grant(household=hh, kind="civilized", actor=users["village"], on=DAY)
    rating = Rating.objects.get(household=hh)
    assert rating.honour_bonus == 5_000_000
    from microcredit.domain.scorecards import PRESETS
    new = services.scorecard_version_create(card=PRESETS["631_yanchi"]._replace(validity_months=24), note="改为2年")
    assert new.version == 2
    assert rating.scorecard.version == 1


def test_credit_village_evaluation(world):
    tree, village, hh, users = world
    step, campaign = run_campaign(village, users)
    step("close_notice", "village", DAY + dt.timedelta(days=17))
    row = sanctions.credit_region_evaluate(region=village, year=2026)
    assert row.granted and row.rated_share == 1


def test_the_worker_expires_ratings_past_their_validity_once_a_business_day(world):
    from microcredit.apps.core.clock import pinned_business_date
    from microcredit.apps.jobs.schedule import run_due_schedules

    tree, village, hh, users = world
    step, _ = run_campaign(village, users)
    step("close_notice", "village", DAY + dt.timedelta(days=17))
    with pinned_business_date(dt.date(2029, 3, 19)):  # the last valid day
        run_due_schedules()
    assert Rating.objects.get(household=hh).status == RatingStatus.EFFECTIVE
    with pinned_business_date(dt.date(2029, 3, 20)):
        run_due_schedules()
        run_due_schedules()
    assert Rating.objects.get(household=hh).status == RatingStatus.EXPIRED
    assert AuditEntry.objects.filter(action="rating.expire").count() == 1
    assert selectors.rating_for_member(hh.members.first()) is None
