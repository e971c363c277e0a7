"""API tokens: issue and resolve (only the hash is stored; tokens expire)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from microcredit.apps.accounts.models import ApiToken, User
from microcredit.apps.core.clock import now


def issue_token(user: User) -> tuple[str, ApiToken]:
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(
        user=user, digest=ApiToken.hash(raw),
        expires_at=now() + dt.timedelta(days=settings.MICROCREDIT_API_TOKEN_DAYS),
    )
    return raw, token


def user_for_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.hash(raw), expires_at__gt=now(), user__is_active=True)
        .first()
    )
    return token.user if token else None
