"""Sign-in for a household app (issue #14 §4), under ``/api/v1/portal``.

POST /code    {"phone"} → 202, the same body whether the number is registered, unknown or throttled.
POST /token   {"phone", "code"} (SMS code) or {"id_number", "code"} (the village station's paper code)
              → {"token", "expires_at"}: a one-day token for the household's login, which opens
              ``/api/v1/portal/`` and nothing else (``web.api.BearerToken``).
DELETE /token revokes the token the call is made with.
Malformed input → 422 {"detail", "field"} in Chinese; a wrong code 401; too many checks 429.
"""

from __future__ import annotations

from typing import Any

from ninja import Router, Schema
from ninja.errors import HttpError

from microcredit.apps.accounts.tokens import revoke_token
from microcredit.apps.portal import signin

router = Router(tags=["农户服务"])


class CodeIn(Schema):
    phone: Any = None


class CodeOut(Schema):
    detail: str


class TokenIn(Schema):
    phone: Any = None
    id_number: Any = None
    code: Any = None


class TokenOut(Schema):
    token: str
    expires_at: str


class RevokedOut(Schema):
    revoked: bool


@router.post("/code", response={202: CodeOut}, auth=None, summary="向登记的手机号发送登录验证码")
def send_code(request, payload: CodeIn):
    signin.request_code(request=request, phone=payload.phone)
    return 202, {"detail": signin.CODE_SENT}


@router.post("/token", response=TokenOut, auth=None, summary="手机号或身份证号加验证码换取农户令牌（1天）")
def create_token(request, payload: TokenIn):
    try:
        if payload.id_number is not None and payload.phone is None:
            user = signin.verify_paper_code(request=request, id_number=payload.id_number, code=payload.code)
        else:
            user = signin.verify_phone_code(request=request, phone=payload.phone, code=payload.code)
    except signin.SigninThrottled as exc:
        raise HttpError(429, exc.message) from None
    except signin.SigninRefused as exc:
        raise HttpError(401, exc.message) from None
    raw, token = signin.portal_token(user)
    return {"token": raw, "expires_at": token.expires_at.isoformat()}


@router.delete("/token", response=RevokedOut, summary="撤销本次调用所用的农户令牌")
def delete_token(request):
    token = getattr(request, "api_token", None)
    if token is None:
        raise HttpError(400, "请使用要撤销的令牌调用此接口（Authorization: Bearer …）")
    return {"revoked": revoke_token(token=token, actor=request.user)}
