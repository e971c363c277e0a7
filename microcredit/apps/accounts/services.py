"""Writes on users: the role decides the group, so the two never disagree."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from microcredit.apps.accounts.models import User


def _sync_groups(user: User) -> None:
    user.groups.set(Group.objects.filter(name=user.role)) if user.role else user.groups.clear()


@transaction.atomic
def user_save_role(*, user: User, actor=None, before: dict | None = None) -> User:
    """After a user's role or scope changed (admin form): align the groups with the role.

    The audit rows come from accounts.signals — the role/scope change from the user's save, the
    group change from m2m_changed — so every path (admin, shell, services) is recorded the same
    way. `actor` and `before` are accepted for older callers; the actor is the request's user.
    """
    _sync_groups(user)
    return user
