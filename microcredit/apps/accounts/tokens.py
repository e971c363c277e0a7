"""API tokens: issue, resolve, list and revoke (only the hash is stored; tokens expire).

Decisions (user guide, security.md):
- a user holds at most MICROCREDIT_API_TOKENS_PER_USER live tokens; minting one more revokes
  the oldest, so a bank system that lost its token can always get a new one;
- a password change revokes all the user's tokens (accounts.signals);
- logging out of the web session does not: tokens belong to the bank's system, not the browser.
Every issue and revocation is audited.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from microcredit.apps.accounts.models import ApiToken, User
from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.clock import now

# Record "last used" at most once a minute per token, not one write per API call.
_LAST_USED_GRANULARITY = dt.timedelta(minutes=1)

REVOKE_REASON_LABELS = {
    "holder": "持有人撤销",
    "password_change": "修改密码",
    "limit": "超过令牌数量上限",
}


def live_tokens(user: User):
    """The user's tokens that still work (not revoked, not expired), newest first."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now()).order_by(
        "-created_at", "-id"
    )


def _revoke(tokens, *, actor, reason: str) -> int:
    """Revoke the given live tokens, one audit row each."""
    revoked = 0
    for token in tokens:
        token.revoked_at, token.revoked_reason = now(), reason
        token.save(update_fields=["revoked_at", "revoked_reason"])
        record_audit(actor=actor, action="api_token.revoke", obj=token, note=REVOKE_REASON_LABELS.get(reason, reason))
        revoked += 1
    return revoked


@transaction.atomic
def issue_token(user: User, *, hours: int | None = None) -> tuple[str, ApiToken]:
    """Mint a token for `user` (audited); beyond the per-user limit the oldest live one is revoked.

    It lives MICROCREDIT_API_TOKEN_DAYS days, or `hours` hours when given (a household's portal token: 24).
    """
    User.objects.select_for_update().filter(pk=user.pk).first()  # one mint at a time per user
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(
        user=user, digest=ApiToken.hash(raw), prefix=raw[:ApiToken.PREFIX_LENGTH],
        expires_at=now() + (dt.timedelta(hours=hours) if hours else dt.timedelta(days=settings.MICROCREDIT_API_TOKEN_DAYS)),
    )
    record_audit(actor=user, action="api_token.issue", obj=token, object_repr=f"{user.username} 的 API 令牌")
    surplus = list(live_tokens(user)[settings.MICROCREDIT_API_TOKENS_PER_USER:])
    _revoke(surplus, actor=user, reason="limit")
    return raw, token


def token_for_raw(raw: str) -> ApiToken | None:
    """The live token with this secret (its user active), noting when it was last used."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.hash(raw), expires_at__gt=now(), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is not None:
        moment = now()
        if token.last_used_at is None or moment - token.last_used_at > _LAST_USED_GRANULARITY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=moment)
            token.last_used_at = moment
    return token


def user_for_token(raw: str) -> User | None:
    token = token_for_raw(raw)
    return token.user if token else None


@transaction.atomic
def revoke_token(*, token: ApiToken, actor, reason: str = "holder") -> bool:
    """Revoke one token (no-op when it is already revoked); True when it was live."""
    if token.revoked_at is not None:
        return False
    return _revoke([token], actor=actor, reason=reason) == 1


@transaction.atomic
def revoke_user_tokens(*, user: User, actor, reason: str) -> int:
    """Revoke every live token of `user` (password change, deactivation); how many were revoked."""
    return _revoke(list(live_tokens(user)), actor=actor, reason=reason)
