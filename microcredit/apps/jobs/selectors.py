"""Jobs a user may see, and what they may read of them (ARCHITECTURE §5).

A job is scoped like its subject (`Job.region_code`, `Job.bank`, fixed at enqueue):
- admins see every job; everyone sees the jobs they queued;
- a bank's staff see their bank's jobs in their regions;
- others see the jobs whose region lies inside one of theirs, and system-wide jobs ("" — the
  daily close) when they cover a whole county or more (as with the audit trail);
- a job about the registry only by those who may view the registry.
Messages and results are masked (ID numbers, phones) for users without `core.see_identity`.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.core.masking import mask_id_number, mask_phone, mask_text
from microcredit.apps.jobs.models import Job, JobStatus  # noqa: F401 — JobStatus re-exported for other apps

# Kinds whose subject needs a permission beyond the region (the registry is confidential).
KIND_PERMISSIONS = {"registry_import": "core.view_registry", "households_export": "core.view_registry"}
COUNTY_PREFIX = 6
MAX_ID = 2**63 - 1  # the id column's range; a larger number in a URL is simply not found
_IDENTITY_KEYS = (("id_number", mask_id_number), ("身份证", mask_id_number), ("phone", mask_phone),
                  ("电话", mask_phone))


def jobs_for(user) -> QuerySet[Job]:
    scope = Scope.of(user)
    qs = Job.objects.select_related("created_by")
    if scope.unrestricted:
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if scope.bank_id is not None:
        subject = Q(bank_id=scope.bank_id) & scope.region_q("region_code")
    else:
        county_wide = any(len(p) <= COUNTY_PREFIX for p in scope.region_prefixes)
        subject = scope.region_q("region_code") | (Q(region_code="") if county_wide else Q(pk__in=[]))
    barred = [kind for kind, perm in KIND_PERMISSIONS.items() if not user.has_perm(perm)]
    return qs.filter(Q(created_by=user) | (subject & ~Q(kind__in=barred)))


def _mask_value(value, key: str = ""):
    if isinstance(value, dict):
        return {k: _mask_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_value(v, key) for v in value]
    if isinstance(value, str):
        masker = next((fn for part, fn in _IDENTITY_KEYS if part in key), None)
        return mask_text(masker(value) if masker else value)
    return value


def job_for_viewer(job: Job, user) -> Job:
    """The job as `user` may read it: message and result masked unless they may see identities.
    Changes the instance in memory only (never saved)."""
    if not user.has_perm("core.see_identity"):
        job.message = mask_text(job.message)
        job.result = _mask_value(job.result)
    return job


def visible_job(user, pk: int) -> Job | None:
    """One job as `user` may read it (masked), or None when out of their scope or not there."""
    if not 0 < pk <= MAX_ID:
        return None
    job = jobs_for(user).filter(pk=pk).first()
    return job_for_viewer(job, user) if job else None
