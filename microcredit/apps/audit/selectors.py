"""Reading the audit trail, scoped and masked (ARCHITECTURE §4–§5)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.core.masking import mask_id_number, mask_phone

_MASKERS = (("id_number", mask_id_number), ("phone", mask_phone))


def audit_entries(
    user, *, actor: str = "", action: str = "", object_type: str = "", region: str = "",
    date_from: dt.date | None = None, date_to: dt.date | None = None, household_id: int | None = None,
) -> QuerySet[AuditEntry]:
    """Audit rows the user may see, newest first, filtered.

    Rows tied to a region are scoped by prefix; rows without a region (system-wide settings,
    tokens) are shown only to users whose scope covers a whole county or more.
    """
    scope = Scope.of(user)
    qs = AuditEntry.objects.select_related("actor")
    if not scope.unrestricted:
        county_wide = any(len(p) <= 6 for p in scope.region_prefixes)
        qs = qs.filter(scope.region_q("region_code") | (Q(region_code="") if county_wide else Q(pk__in=[])))
    if actor:
        qs = qs.filter(Q(actor_label__contains=actor) | Q(actor__username=actor))
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if region:
        qs = qs.filter(region_code__startswith=region)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    if household_id is not None:
        qs = qs.filter(household_id=household_id)
    return qs.order_by("-at", "-id")


def household_audit_entries(*, household_id: int) -> QuerySet[AuditEntry]:
    """Everything recorded against a household, newest first (its page checked the scope)."""
    return AuditEntry.objects.filter(household_id=household_id).order_by("-at", "-id")


def masked(value, user):
    """A before/after snapshot with ID numbers and phones masked unless the user may see them."""
    if user.has_perm("core.see_identity") or value is None:
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            masker = next((fn for part, fn in _MASKERS if part in key), None)
            out[key] = masker(item) if masker and isinstance(item, str) else masked(item, user)
        return out
    if isinstance(value, list):
        return [masked(v, user) for v in value]
    return value
