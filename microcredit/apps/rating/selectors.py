"""Reads of ratings, campaigns and the blacklist; every list is scoped to the caller."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.rating.models import (
    BlacklistEntry, CountyScorecard, Rating, RatingCampaign, RatingStatus, ScorecardVersion,
)


def campaign_list(user) -> QuerySet[RatingCampaign]:
    return Scope.of(user).filter_regions(RatingCampaign.objects.select_related("village", "scorecard"), "region_code")


def rating_list(user) -> QuerySet[Rating]:
    return Scope.of(user).filter_regions(Rating.objects.select_related("household", "scorecard"), "region_code")


def blacklist_list(user) -> QuerySet[BlacklistEntry]:
    return Scope.of(user).filter_regions(BlacklistEntry.objects.select_related("household"), "region_code")


def current_rating(household, on: dt.date | None = None) -> Rating | None:
    """The household's effective rating (valid on ``on`` when given)."""
    qs = Rating.objects.filter(household=household, status=RatingStatus.EFFECTIVE)
    if on is not None:
        qs = qs.filter(valid_from__lte=on)
    return qs.order_by("-valid_from", "-id").first()


def is_blacklisted(household, on: dt.date) -> bool:
    """Household or any covered family member (spouse, children, parents) listed on ``on``."""
    ids = set(household.members.values_list("id_number", flat=True)) | {household.head_id_number}
    active = BlacklistEntry.objects.filter(lifted_on__isnull=True, listed_on__lte=on, until__gte=on)
    for household_id, covered in active.values_list("household_id", "covered_id_numbers"):
        if household_id == household.pk or ids & set(covered or ()):
            return True
    return False


def scorecard_for(county_code: str, era_code: str) -> ScorecardVersion:
    """The version the county chose for the era, else the latest 631（盐池） preset."""
    chosen = CountyScorecard.objects.filter(county_code=county_code, era_code=era_code).select_related(
        "scorecard").first()
    if chosen:
        return chosen.scorecard
    row = ScorecardVersion.objects.filter(code="631_yanchi").order_by("-version").first()
    if row is None:
        from microcredit.apps.rating.services import scorecard_presets_ensure

        scorecard_presets_ensure()
        row = ScorecardVersion.objects.filter(code="631_yanchi").order_by("-version").first()
    return row


def rating_for_member(member) -> tuple[str, int] | None:
    """Hook for the registry's verify endpoint: (grade, credit limit fen) or None."""
    from microcredit.apps.core.clock import business_date

    rating = current_rating(member.household)
    if rating is None or not rating.grade or (rating.valid_until and rating.valid_until < business_date()):
        return None
    return rating.grade, rating.credit_limit


def household_in_scope(user, pk: int):
    """A household the user's scope covers, else None."""
    from microcredit.apps.households.models import Household

    return Scope.of(user).filter_regions(Household.objects.all()).filter(pk=pk).first()


def honour_list(user) -> QuerySet:
    from microcredit.apps.rating.models import Honour

    return Scope.of(user).filter_regions(Honour.objects.select_related("household"), "household__region_code")


def credit_region_list(user) -> QuerySet:
    from microcredit.apps.rating.models import CreditRegion

    return Scope.of(user).filter_regions(CreditRegion.objects.select_related("region"), "region_code")


def evaluable_regions(user) -> QuerySet:
    """Villages and townships in scope (the units of 信用村 / 信用乡镇)."""
    from microcredit.apps.regions.models import Region

    return Scope.of(user).filter_regions(Region.objects.filter(level__in=("village", "township")), "code").order_by("code")


def counties_in_scope(user) -> QuerySet:
    from microcredit.apps.regions.models import Region

    return Scope.of(user).filter_regions(Region.objects.filter(level="county"), "code").order_by("code")


def county_choices(user) -> list[CountyScorecard]:
    """Scorecard choices of the counties the user works in (latest first)."""
    scope = Scope.of(user)
    rows = CountyScorecard.objects.select_related("scorecard", "chosen_by")
    if scope.unrestricted:
        return list(rows)
    return [r for r in rows if any(p.startswith(r.county_code) or r.county_code.startswith(p)
                                   for p in scope.region_prefixes)]
