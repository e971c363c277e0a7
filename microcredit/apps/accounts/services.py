"""Writes on users: the role decides the group, so the two never disagree."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from microcredit.apps.accounts.models import User
from microcredit.apps.audit.services import record_audit, snapshot

_FIELDS = ["username", "role", "scope_regions", "bank_id", "is_active", "is_superuser"]


def _sync_groups(user: User) -> None:
    user.groups.set(Group.objects.filter(name=user.role)) if user.role else user.groups.clear()


@transaction.atomic
def user_save_role(*, user: User, actor, before: dict | None = None) -> User:
    """After a user's role or scope changed (admin form): align groups and record the change."""
    _sync_groups(user)
    record_audit(actor=actor, action="user.role", obj=user, before=before, after=snapshot(user, _FIELDS))
    return user
