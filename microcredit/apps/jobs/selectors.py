"""Jobs a user may see: their own, or all for admins and county-wide staff; a bank's staff see their bank's."""

from django.db.models import QuerySet

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.jobs.models import Job


def jobs_for(user) -> QuerySet[Job]:
    scope = Scope.of(user)
    qs = Job.objects.select_related("created_by")
    if scope.unrestricted:
        return qs
    if scope.bank_id is not None:
        return qs.filter(created_by__bank_id=scope.bank_id)
    if any(len(p) <= 6 for p in scope.region_prefixes):
        return qs
    return qs.filter(created_by=user)
