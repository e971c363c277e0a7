"""Recording audit entries. Every service that writes calls `record_audit` in its transaction."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.core.workflow import actor_or_none

SYSTEM_LABEL = "系统"


user_or_none = actor_or_none  # the acting user, or None for the system: one definition, in core.workflow


def _plain(value: Any) -> Any:
    """Make a value JSON-safe for before/after snapshots."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict:
    """The concrete field values of a model instance, for before/after."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: _plain(getattr(obj, name)) for name in names}


def audit_entry(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    region_code: str = "",
    household_id: int | None = None,
    note: str = "",
) -> AuditEntry:
    """One audit row, not saved yet (``record_audits`` writes many at once). `actor` may be None (system)."""
    actor = user_or_none(actor)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    return AuditEntry(
        actor=actor,
        actor_label=(actor.get_full_name() or actor.username) if actor else SYSTEM_LABEL,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:255],
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        region_code=region_code,
        household_id=household_id,
        note=note,
    )


def record_audit(**fields) -> AuditEntry:
    """Append one audit row (the arguments of ``audit_entry``)."""
    entry = audit_entry(**fields)
    entry.save()
    return entry


def record_audits(entries: list[AuditEntry], *, batch_size: int = 500) -> None:
    """Append many rows built by ``audit_entry`` (bulk imports)."""
    AuditEntry.objects.bulk_create(entries, batch_size=batch_size)


AUDIT_ACTIONS: dict[str, str] = {}
"""Action code → its label (a verb phrase: 修改农户信息), filled by each app's ready()."""


def register_audit_actions(labels: dict[str, str]) -> None:
    """Add an app's action labels (issue #11 §3); an action labelled twice fails at startup."""
    for code, label in labels.items():
        if code in AUDIT_ACTIONS:
            raise ImproperlyConfigured(f"audit action {code!r} labelled twice")
        AUDIT_ACTIONS[code] = label
