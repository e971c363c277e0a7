"""Reads of ratings, campaigns and the blacklist; every list is scoped to the caller.

Scope (ARCHITECTURE §5) is the caller's region prefixes, and for a bank officer two more rules
(issue #9): a bank sees a campaign only once it has reached the bank review (or later) and only
in villages its branches serve — a branch serves every village under its own region (a township
branch its township, a county branch the county). Survey answers and committee votes are never
shown to a bank (``sees_survey``). Pages and the API read campaigns through ``campaign_list`` /
``campaign_get`` only.
"""

from __future__ import annotations

import datetime as dt
import operator
from functools import reduce

from django.db.models import Exists, OuterRef, Q, QuerySet

from microcredit.apps.accounts.roles import BANK
from microcredit.apps.accounts.scope import Scope
from microcredit.apps.households.selectors import people_by_id_number
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.models import SystemSetting
from microcredit.apps.core.workflow import is_admin
from microcredit.apps.rating.models import (
    BlacklistEntry, CampaignTransition, CountyScorecard, CreditRegion, Honour, Rating, RatingCampaign, RatingStatus,
    ScorecardVersion,
)
from microcredit.apps.reference.selectors import bank_list
from microcredit.apps.regions.selectors import regions_in_scope
from microcredit.domain.bounds import MAX_ID
from microcredit.domain.regions import in_scope, significant_prefix
from microcredit.domain.workflow import RATING_CAMPAIGN, forward_states, rating_notice_days

BANK_STAGE = "bank_review"
BANK_STAGES = forward_states(RATING_CAMPAIGN, BANK_STAGE)
"""The bank review and every state after it: the campaigns a bank may see."""
NOTICE_SETTING = "rating.notice_days"
"""SystemSetting key of the notice length; ``rating.notice_days.<county code, 6 digits>`` for one county."""


def is_bank_user(user) -> bool:
    """A bank officer (administrators are not narrowed by bank)."""
    return getattr(user, "role", "") == BANK and not is_admin(user)


def bank_served_prefixes(bank_id: int | None) -> tuple[str, ...]:
    """The region prefixes a bank's branches serve (each branch: everything under its region)."""
    if bank_id is None:
        return ()
    bank = bank_list().filter(pk=bank_id).first()
    if bank is None:
        return ()
    return tuple(sorted({significant_prefix(b.region_id) for b in bank.branches.all()}))


def bank_serves(bank_id: int | None, region_code: str) -> bool:
    """True when one of the bank's branches serves the village ``region_code``."""
    return in_scope(region_code, bank_served_prefixes(bank_id))


def _prefix_q(field: str, prefixes: tuple[str, ...]) -> Q:
    if not prefixes:
        return Q(pk__in=[])
    return reduce(operator.or_, (Q(**{f"{field}__startswith": p}) for p in prefixes))


def _bank_campaign_q(user) -> Q:
    """Campaigns of served villages that reached the bank review (or were there and went back/rejected)."""
    reached = Q(state__in=BANK_STAGES) | Q(Exists(CampaignTransition.objects.filter(
        campaign=OuterRef("pk"), to_state=BANK_STAGE)))
    return reached & _prefix_q("region_code", bank_served_prefixes(user.bank_id))


def campaign_list(*, user, state: str = "") -> QuerySet[RatingCampaign]:
    """The campaigns the user may see (region scope; for a bank also stage and served villages)."""
    qs = Scope.of(user).filter_regions(RatingCampaign.objects.select_related("village", "scorecard"), "region_code")
    if is_bank_user(user):
        qs = qs.filter(_bank_campaign_q(user))
    if state:
        qs = qs.filter(state=state)
    return qs


def campaign_get(*, user, pk: int) -> RatingCampaign:
    """One campaign the user may see; ``RatingCampaign.DoesNotExist`` otherwise (out of scope, unknown, absurd id)."""
    if not 1 <= pk <= MAX_ID:
        raise RatingCampaign.DoesNotExist
    return campaign_list(user=user).get(pk=pk)


def sees_survey(user) -> bool:
    """Survey answers and individual committee votes are for the village, township and county, never a bank."""
    return not is_bank_user(user)


def rating_list(user) -> QuerySet[Rating]:
    """Ratings in scope; a bank sees those of campaigns it may see and loose ratings of served villages."""
    qs = Scope.of(user).filter_regions(Rating.objects.select_related("household", "scorecard"), "region_code")
    if is_bank_user(user):
        qs = qs.filter(_prefix_q("region_code", bank_served_prefixes(user.bank_id))).filter(
            Q(campaign__isnull=True) | Q(campaign__in=campaign_list(user=user)))
    return qs


def notice_days_for(region_code: str) -> int:
    """The county's notice length for a village (DOMAIN §3, §12): the county's setting, else the
    system-wide one, else 7 days. Never from the caller of a campaign."""
    county = region_code[:6]
    raw = SystemSetting.get(f"{NOTICE_SETTING}.{county}") or SystemSetting.get(NOTICE_SETTING)
    return rating_notice_days(raw)


def _bank_served(user, qs: QuerySet, field: str) -> QuerySet:
    """A bank officer sees household lists only for the villages its branches serve."""
    if is_bank_user(user):
        return qs.filter(_prefix_q(field, bank_served_prefixes(user.bank_id)))
    return qs


def blacklist_list(user) -> QuerySet[BlacklistEntry]:
    qs = Scope.of(user).filter_regions(BlacklistEntry.objects.select_related("household"), "region_code")
    return _bank_served(user, qs, "region_code")


def current_rating(household, on: dt.date | None = None) -> Rating | None:
    """The household's effective rating (valid on ``on`` when given)."""
    qs = Rating.objects.filter(household=household, status=RatingStatus.EFFECTIVE)
    if on is not None:
        qs = qs.filter(valid_from__lte=on)
    return qs.order_by("-valid_from", "-id").first()


def _entries_in_force(on: dt.date):
    """(household id, covered ID numbers) of every blacklist entry in force on ``on`` (listed, not lifted, not ended)."""
    return BlacklistEntry.objects.filter(lifted_on__isnull=True, listed_on__lte=on, until__gte=on).values_list(
        "household_id", "covered_id_numbers")


def is_blacklisted(household, on: dt.date) -> bool:
    """Household or any covered family member (spouse, children, parents) listed on ``on``."""
    ids = set(household.members.values_list("id_number", flat=True)) | {household.head_id_number}
    for household_id, covered in _entries_in_force(on):
        if household_id == household.pk or ids & set(covered or ()):
            return True
    return False


def scorecard_for(county_code: str, era_code: str) -> ScorecardVersion:
    """The version the county chose for the era, else the latest 631（盐池） preset (shipped by a migration and
    restored after a flush by ``services.scorecard_presets_ensure``, connected to post_migrate)."""
    chosen = CountyScorecard.objects.filter(county_code=county_code, era_code=era_code).select_related(
        "scorecard").first()
    if chosen:
        return chosen.scorecard
    return ScorecardVersion.objects.filter(code="631_yanchi").order_by("-version").first()


def rating_for_member(member) -> tuple[str, int] | None:
    """Hook for the registry's verify endpoint: (grade, credit limit fen) or None."""
    rating = current_rating(member.household)
    if rating is None or not rating.grade or (rating.valid_until and rating.valid_until < business_date()):
        return None
    return rating.grade, rating.credit_limit


def honour_list(user) -> QuerySet:
    qs = Scope.of(user).filter_regions(Honour.objects.select_related("household"), "household__region_code")
    return _bank_served(user, qs, "household__region_code")


def credit_region_list(user) -> QuerySet:
    return Scope.of(user).filter_regions(CreditRegion.objects.select_related("region"), "region_code")


def evaluable_regions(user) -> QuerySet:
    """Villages and townships in scope (the units of 信用村 / 信用乡镇)."""
    return regions_in_scope(user=user, levels=("village", "township")).order_by("code")


def counties_in_scope(user) -> QuerySet:
    return regions_in_scope(user=user, level="county").order_by("code")


def county_choices(user) -> list[CountyScorecard]:
    """Scorecard choices of the counties the user works in (latest first)."""
    scope = Scope.of(user)
    rows = CountyScorecard.objects.select_related("scorecard", "chosen_by")
    if scope.unrestricted:
        return list(rows)
    return [r for r in rows if any(p.startswith(r.county_code) or r.county_code.startswith(p)
                                   for p in scope.region_prefixes)]


def blacklisted_households(on: dt.date) -> set[int]:
    """Ids of the households blacklisted on ``on``, counting family members an entry covers (the
    bulk form of `is_blacklisted`, for the reconciliation of bank ledgers, DOMAIN §10)."""
    listed, covered = set(), set()
    for household_id, numbers in _entries_in_force(on):
        listed.add(household_id)
        covered.update(numbers or ())
    if covered:
        listed |= {person[0] for person in people_by_id_number(covered).values()}
    return listed
