"""Demo step "ratings": effective ratings for most households, campaigns in every state (DOMAIN §3).

Every village had one rating campaign that took effect in the last 2½ years (so ratings are
valid today); 85 % of the non-五保 households got a rating from the 631（盐池） scorecard with
three committee votes. A handful of villages (the demo clerk's first) run a new campaign that
stands in each workflow state, through the real services (audit rows, transitions).
"""

from __future__ import annotations

import datetime as dt

from microcredit.apps.households.models import Household
from microcredit.apps.rating import services
from microcredit.apps.rating.models import Rating, RatingCampaign, RatingStatus, Vote
from microcredit.apps.rating.selectors import scorecard_for
from microcredit.demo.context import DemoContext
from microcredit.demo.origination_insert import fast_insert
from microcredit.domain.dates import add_months
from microcredit.domain.identity import age_on
from microcredit.domain.scorecards import HouseholdFacts, score_household

CHUNK = 2000
STATES_PATH = [("submit", 0), ("start_notice", 1), ("close_notice", 8), ("approve", 9), ("approve", 10),
               ("approve", 11), ("start_notice", 12)]
# a campaign stopped after k steps stands in: survey, vote, notice1, township, county, bank, approved, notice2
IN_PROGRESS = [0, 1, 2, 3, 4, 5, 6, 7]


def create_ratings(ctx: DemoContext) -> None:

    rng, today = ctx.rng, ctx.business_date
    card_row = scorecard_for(ctx.county.code[:6], "")
    card = card_row.card()
    by_village: dict[str, list] = {}
    for ref in ctx.households:
        by_village.setdefault(ref.village_code, []).append(ref)
    campaigns = []
    for v in ctx.villages:
        effective = today - dt.timedelta(days=rng.randint(40, 900))
        campaigns.append(RatingCampaign(
            number=f"PJ{v.code}{effective:%Y%m}000", village=v, region_code=v.code, scorecard=card_row,
            state="effective", state_entered_on=effective, notice1_ends_on=effective - dt.timedelta(days=20),
            notice2_ends_on=effective, effective_on=effective))
    RatingCampaign.objects.bulk_create(campaigns, batch_size=CHUNK)
    campaign_of = {c.region_code: c for c in RatingCampaign.objects.filter(state="effective", number__startswith="PJ")}
    ratings, votes_of = [], []
    for code, refs in by_village.items():
        c = campaign_of[code]
        for ref in refs:
            if ref.is_wubao or rng.random() > 0.85:
                continue
            votes = tuple(rng.choice((60, 70, 75, 80, 85, 90, 95, 100)) for _ in range(3))
            facts = HouseholdFacts(income_per_head=ref.income_per_head, able_labourers=ref.able_members,
                                   skill=rng.choice(("none", "some", "certified")),
                                   head_age=age_on(ref.head_birth, c.effective_on), votes=votes)
            result = score_household(card, facts)
            ratings.append(Rating(
                campaign=c, household_id=ref.id, region_code=code, scorecard=card_row,
                facts=facts._asdict(), factor_scores=[s._asdict() for s in result.factors], score=result.total,
                grade=result.grade, credit_limit=result.credit_limit,
                status=RatingStatus.EFFECTIVE if result.grade else RatingStatus.REVOKED,
                valid_from=c.effective_on, valid_until=add_months(c.effective_on, card.validity_months)))
            votes_of.append(votes)
    created = Rating.objects.bulk_create(ratings, batch_size=CHUNK)
    if created and created[0].pk is None:  # backends without RETURNING: read the ids back
        created = list(Rating.objects.filter(campaign__in=campaign_of.values()).order_by("id"))
    fast_insert(Vote, (dict(rating_id=r.pk, voter=f"评议委员{i + 1}", score=s)
                       for r, vs in zip(created, votes_of) for i, s in enumerate(vs)))
    ctx.count("ratings", len(created))
    ctx.count("rating_campaigns", len(campaigns))
    _campaigns_in_progress(ctx, card_row, by_village)


def _campaigns_in_progress(ctx: DemoContext, card_row, by_village) -> None:

    clerk = ctx.users.get("village")
    villages = sorted(by_village)
    first = clerk.scope_regions[0] if clerk and clerk.scope_regions else villages[0]
    others = [v for v in villages if v != first] or [first]
    picks = [first] + [others[i % len(others)] for i in range(len(IN_PROGRESS) - 1)]
    village_rows = {v.code: v for v in ctx.villages}
    start = ctx.business_date - dt.timedelta(days=14)
    for code, steps in zip(picks, IN_PROGRESS):
        households = Household.objects.filter(region_code=code, is_wubao=False).order_by("number")[:8]
        campaign = services.campaign_create(village=village_rows[code], scorecard=card_row, households=households,
                                            on=start, is_rerating=True)
        for rating in campaign.ratings.all():
            for i in range(2):
                services.vote_record(rating=rating, voter=f"评议委员{i + 1}", score=ctx.rng.choice((70, 80, 90, 100)))
        for action, offset in STATES_PATH[:steps]:
            campaign = services.campaign_transition(campaign=campaign, action=action, actor=None,
                                                    on=start + dt.timedelta(days=offset), opinion="同意")
        ctx.count("rating_campaigns")
