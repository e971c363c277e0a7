"""`/api/v1/users`: user administration for the county office and administrators (DOMAIN §1).

Roles come as their code and label, scope as [{code, name}] (full 12-digit region codes; a
township's or village's code from /api/v1/regions is accepted as it is). A refusal is a 422
naming the field, with every broken rule under ``errors``; a user out of the caller's scope is 404.
The temporary password of a new user or a reset is returned once and never again.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema
from ninja.errors import HttpError

from microcredit.apps.accounts.models import User
from microcredit.apps.accounts.roles import ROLE_LABELS
from microcredit.apps.accounts.selectors import scope_names, user_get, user_list
from microcredit.apps.accounts.services import (
    user_create, user_password_reset, user_set_active, user_update,
)
from microcredit.apps.core.api_types import Id, Limit, Offset, Text

router = Router(tags=["用户管理"])
Codes = list[Text(15)]


class Region(Schema):
    code: str
    name: str


class UserOut(Schema):
    id: int
    username: str
    name: str
    phone: str
    role: str
    role_label: str
    scope: list[Region]
    bank_id: int | None
    bank: str | None
    is_active: bool
    last_login: dt.datetime | None


class UserPage(Schema):
    count: int
    results: list[UserOut]


class UserIn(Schema):
    username: Text(150)
    name: Text(150)
    phone: Text(20) = ""
    role: Text(20)
    scope: Codes = Field(default_factory=list, max_length=500)
    bank_id: Id | None = None


class UserPatch(Schema):
    name: Text(150) | None = None
    phone: Text(20) | None = None
    role: Text(20) | None = None
    scope: Codes | None = Field(default=None, max_length=500)
    bank_id: Id | None = None


class PasswordOut(Schema):
    id: int
    username: str
    temporary_password: str


class CreatedOut(UserOut):
    temporary_password: str


def _may(request) -> None:
    if not request.user.has_perm("core.manage_users"):
        raise HttpError(403, "无管理用户权限")


def _user(request, user_id: int) -> User:
    _may(request)
    try:
        return user_get(user=request.user, pk=user_id)
    except User.DoesNotExist:
        raise HttpError(404, "用户不存在或不在您的管辖范围内") from None


def _rows(request, users) -> list[dict]:
    names = scope_names(users, user=request.user)
    return [{
        "id": u.pk, "username": u.username, "name": u.get_full_name(), "phone": u.phone, "role": u.role,
        "role_label": str(ROLE_LABELS.get(u.role, "")), "bank_id": u.bank_id, "bank": str(u.bank) if u.bank_id else None,
        "scope": [{"code": p.ljust(12, "0"), "name": names[p]} for p in u.scope_regions or []],
        "is_active": u.is_active, "last_login": u.last_login,
    } for u in users]


@router.get("", response=UserPage, summary="用户列表（本人管辖范围内）")
def list_users(request, q: Text(150) | None = None, role: Text(20) | None = None, active: bool | None = None,
               limit: Limit = 50, offset: Offset = 0):
    _may(request)
    users = user_list(user=request.user, q=q, role=role, active=active)
    return {"count": users.count(), "results": _rows(request, list(users[offset:offset + limit]))}


@router.get("/{user_id}", response=UserOut, summary="一个用户")
def get_user(request, user_id: Id):
    return _rows(request, [_user(request, user_id)])[0]


@router.post("", response={201: CreatedOut}, summary="新建用户（返回一次性临时密码）")
def create_user(request, payload: UserIn):
    _may(request)
    user, password = user_create(actor=request.user, **payload.dict())
    return 201, _rows(request, [user])[0] | {"temporary_password": password}


@router.patch("/{user_id}", response=UserOut, summary="修改姓名、电话、角色、管辖范围或所属银行")
def patch_user(request, user_id: Id, payload: UserPatch):
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None or k == "bank_id"}
    user = user_update(actor=request.user, user=_user(request, user_id), **changes)
    return _rows(request, [user])[0]


@router.post("/{user_id}/disable", response=UserOut, summary="停用用户（不能登录，令牌失效）")
def disable_user(request, user_id: Id):
    return _rows(request, [user_set_active(actor=request.user, user=_user(request, user_id), active=False)])[0]


@router.post("/{user_id}/enable", response=UserOut, summary="启用用户")
def enable_user(request, user_id: Id):
    return _rows(request, [user_set_active(actor=request.user, user=_user(request, user_id), active=True)])[0]


@router.post("/{user_id}/reset-password", response=PasswordOut, summary="重置密码（返回一次性临时密码）")
def reset_password(request, user_id: Id):
    user = _user(request, user_id)
    return {"id": user.pk, "username": user.username,
            "temporary_password": user_password_reset(actor=request.user, user=user)}
