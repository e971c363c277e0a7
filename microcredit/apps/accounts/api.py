"""POST /api/v1/auth/token: username + password → bearer token for banks' systems."""

from django.contrib.auth import authenticate
from ninja import Router, Schema
from ninja.errors import HttpError

from microcredit.apps.accounts.tokens import issue_token
from microcredit.apps.audit.services import record_audit

router = Router(tags=["认证"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: str


@router.post("/token", response=TokenOut, auth=None)
def create_token(request, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise HttpError(401, "用户名或密码错误")
    raw, token = issue_token(user)
    record_audit(actor=user, action="api_token.issue", obj=token, object_repr=f"{user.username} 的 API 令牌")
    return {"token": raw, "expires_at": token.expires_at.isoformat()}
