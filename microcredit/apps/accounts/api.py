"""`/api/v1/auth/`: bearer tokens for banks' systems — mint, list, revoke.

POST /token  username + password → a 30-day token. Goes through ``authenticate(request, …)`` so
             django-axes counts failures: 5 for one username from one IP lock it for 15 minutes
             (429, Chinese message, Retry-After).
GET /tokens  the caller's tokens (prefix, created, last used, expires, revoked) — never a secret.
DELETE /token  revokes the token the call is made with.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import authenticate
from ninja import Router, Schema
from ninja.errors import HttpError

from microcredit.apps.accounts.lockout import LOCKED_MESSAGE, lockout_minutes
from microcredit.apps.accounts.models import ApiToken
from microcredit.apps.accounts.tokens import issue_token, revoke_token

router = Router(tags=["认证"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: str


class TokenInfo(Schema):
    id: int
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    revoked_reason: str


class RevokedOut(Schema):
    revoked: bool


@router.post("/token", response=TokenOut, auth=None, summary="用户名和密码换取 API 令牌")
def create_token(request, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise HttpError(429, LOCKED_MESSAGE.format(minutes=lockout_minutes(request)))
        raise HttpError(401, "用户名或密码错误")
    raw, token = issue_token(user)
    return {"token": raw, "expires_at": token.expires_at.isoformat()}


@router.get("/tokens", response=list[TokenInfo], summary="本人的 API 令牌（不含令牌本身）")
def list_tokens(request):
    return list(ApiToken.objects.filter(user=request.user).order_by("-created_at", "-id")[:50])


@router.delete("/token", response=RevokedOut, summary="撤销本次调用所用的令牌")
def delete_token(request):
    token = getattr(request, "api_token", None)
    if token is None:
        raise HttpError(400, "请使用要撤销的令牌调用此接口（Authorization: Bearer …）")
    return {"revoked": revoke_token(token=token, actor=request.user)}
