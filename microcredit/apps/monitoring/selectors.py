"""Reads of the close results, scoped to the caller's regions (and bank for bank users)."""

from __future__ import annotations

from django.db.models import Q

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.monitoring.models import Aggregate, CloseRun, LendingTarget, Suspension
from microcredit.apps.regions.selectors import regions_in_scope
from microcredit.apps.regions.selectors import region_names  # noqa: F401 — re-exported: monitoring pages name regions


def latest_close_date(user=None):
    run = CloseRun.objects.filter(status=CloseRun.Status.DONE).order_by("-business_date").first()
    return run.business_date if run else None


def aggregates_for(user, *, level: str = "township", day=None):
    """Aggregate rows at ``level`` within the user's scope (bank users: their bank's rows)."""
    scope = Scope.of(user)
    day = day or latest_close_date()
    if day is None:
        return Aggregate.objects.none()
    qs = Aggregate.objects.filter(as_of=day, level=level)
    qs = qs.filter(bank_id=scope.bank_id) if scope.bank_id and not scope.unrestricted else qs.filter(bank_id=0)
    return scope.filter_regions(qs, "code").order_by("code")


def _in_force(on):
    qs = Suspension.objects.filter(since__lte=on) if on is not None else Suspension.objects.all()
    return qs.filter(Q(lifted_on__isnull=True) | Q(lifted_on__gt=on)) if on is not None else qs.filter(lifted_on__isnull=True)


def suspensions_for(*, region_code: str, bank, on) -> tuple[str, str, str]:
    """The circuit breakers in force on ``on`` for a household's village, its township and the bank
    (DOMAIN §8): each the Chinese reason, or "" when none (the origination policy check's hook)."""
    qs = _in_force(on)
    village = qs.filter(level="village", region_code=region_code[:12]).first()
    township = qs.filter(level="township", region_code=region_code[:9]).first()
    bank_id = getattr(bank, "pk", bank)
    bank_row = qs.filter(level="bank", bank_id=bank_id).first() if bank_id else None
    return tuple(s.reason if s else "" for s in (village, township, bank_row))


def breakers_for(*, region_code: str, bank, on) -> tuple:
    """Like ``suspensions_for`` but each breaker in force as ``(reason, since)`` (None when none), so a
    refusal can say since when (origination re-checks them at every step that commits money)."""
    qs = _in_force(on)
    bank_id = getattr(bank, "pk", bank)
    rows = (qs.filter(level="village", region_code=region_code[:12]).first(),
            qs.filter(level="township", region_code=region_code[:9]).first(),
            qs.filter(level="bank", bank_id=bank_id).first() if bank_id else None)
    return tuple((s.reason, s.since) if s else None for s in rows)


def suspensions_visible(user):
    """Suspensions in the user's scope (bank users: their bank's and their regions'), newest first."""
    scope = Scope.of(user)
    qs = Suspension.objects.select_related("bank", "lifted_by")
    if scope.unrestricted:
        return qs
    q = scope.region_q("region_code") if scope.region_prefixes else Q(pk__in=[])
    q |= Q(level="township", region_code__in=[p[:9] for p in scope.region_prefixes if len(p) > 9])
    q |= Q(level="bank", bank_id=scope.bank_id) if scope.bank_id else Q(level="bank")
    return qs.filter(q)


def target_counties(*, user) -> list[tuple[str, str]]:
    """(6-digit code, name) of the counties whose lending targets ``user`` may see and set, by code."""
    return [(r.code[:6], r.name) for r in regions_in_scope(user=user, level="county").order_by("code")]


def target_map(*, year: int, region_codes, bank_id: int | None = None) -> dict[str, int]:
    """Region code → the year's target in fen (all banks when ``bank_id`` is None, else that bank's)."""
    qs = LendingTarget.objects.filter(year=year, region_code__in=list(region_codes))
    qs = qs.filter(bank_id=bank_id) if bank_id else qs.filter(bank__isnull=True)
    return dict(qs.values_list("region_code", "amount"))


def bank_target_map(*, year: int, region_code: str) -> dict[int, int]:
    """Bank id → the year's target in fen of that bank in the region."""
    return dict(LendingTarget.objects.filter(year=year, region_code=region_code, bank__isnull=False)
                .values_list("bank_id", "amount"))


# Indicators (DOMAIN §9, issue #12 item 7): the one definition other code (dashboards, reports) reads.
from microcredit.apps.monitoring.indicators import (  # noqa: E402,F401 — re-exported
    BREAKDOWNS, IndicatorError, Indicators, LadderMonth, available_dates, check_as_of, indicators, maturity_ladder,
)
