"""Reads of the close results, scoped to the caller's regions (and bank for bank users)."""

from __future__ import annotations

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.monitoring.models import Aggregate, CloseRun


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
    if not scope.unrestricted:
        from django.db.models import Q

        q = Q(pk__in=[])
        for p in scope.region_prefixes:
            q |= Q(code__startswith=p)
        qs = qs.filter(q)
    return qs.order_by("code")


def region_names(codes):
    from microcredit.apps.regions.models import Region

    full = {c: c.ljust(12, "0") for c in codes}
    names = dict(Region.objects.filter(code__in=full.values()).values_list("code", "name"))
    return {c: names.get(f, c) for c, f in full.items()}
