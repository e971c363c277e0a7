"""Writes on users: create, change role/scope/bank, disable, reset the password (DOMAIN §1, ARCHITECTURE §5).

The role decides the group, so the two never disagree. Every write is audited by accounts.signals.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from microcredit.apps.accounts.models import User
from microcredit.apps.accounts.scope import Scope
from microcredit.apps.accounts.selectors import region_names, user_list
from microcredit.apps.reference.selectors import bank_list
from microcredit.domain.access import assignment_errors, own_account_errors, scope_prefixes
from microcredit.domain.errors import DomainError, FieldError

USERNAME = re.compile(r"[\w.@+-]+")  # Django's UnicodeUsernameValidator


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


class UserAdminError(DomainError):
    """A user administration refused: ``errors`` lists every broken rule, the first is field/message."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(errors[0].field, errors[0].message)
        self.errors = errors


_KEEP: Any = object()  # an argument of user_update left out: the field keeps its value
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I


def _text_errors(**values: str) -> list[FieldError]:
    words = {"username": ("用户名", 150), "name": ("姓名", 150), "phone": ("电话", 20)}
    errors = [FieldError(f, f"{words[f][0]}：最多 {words[f][1]} 个字") for f, v in values.items() if len(v) > words[f][1]]
    errors += [FieldError(f, f"{words[f][0]}：请填写") for f in ("username", "name") if values.get(f, "x").strip() == ""]
    if values.get("username") and not USERNAME.fullmatch(values["username"]):
        errors.append(FieldError("username", "用户名：只能由字母、数字和 @ . + - _ 组成"))
    return errors


def _assignment_errors(*, actor, role: str, scope: list[str], bank_id: int | None) -> list[FieldError]:
    actor_scope = Scope.of(actor)
    names = region_names(scope, user=actor)
    errors = assignment_errors(role=role, scope_codes=scope, has_bank=bank_id is not None, names=names,
                               actor_unrestricted=actor_scope.unrestricted, actor_prefixes=actor_scope.region_prefixes)
    unknown = [c for c in scope if c not in names and actor_scope.covers(c)]
    if unknown:
        errors.append(FieldError("scope", f"管辖范围：区划 {'、'.join(unknown)} 不存在"))
    if bank_id is not None and not bank_list().filter(pk=bank_id).exists():
        errors.append(FieldError("bank", "所属银行：所选银行不存在"))
    return errors


def _refuse_if(errors: list[FieldError]) -> None:
    if errors:
        raise UserAdminError(errors)


def _locked(*, actor, user: User) -> User:
    """The user, locked, if the actor may administer it; refused otherwise."""
    try:
        return user_list(user=actor).select_for_update(of=("self",)).get(pk=user.pk)
    except User.DoesNotExist:
        raise UserAdminError([FieldError("user", "用户：不存在或不在您的管辖范围内")]) from None


def temporary_password() -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(12))


@transaction.atomic
def user_create(*, actor, username: str, name: str, role: str, scope: list[str], bank_id: int | None = None,
                phone: str = "") -> tuple[User, str]:
    """A new user with a temporary password (returned once, to hand over in person).

    Refused (every rule at once) when the username is taken or malformed, or the role, scope or
    bank is not one the actor may assign (domain.access). Audited by accounts.signals (user.create).
    """
    username, scope = username.strip(), scope_prefixes(scope)
    errors = _text_errors(username=username, name=name, phone=phone)
    if username and User.objects.filter(username=username).exists():
        errors.append(FieldError("username", "用户名：已被使用"))
    _refuse_if(errors + _assignment_errors(actor=actor, role=role, scope=scope, bank_id=bank_id))
    password = temporary_password()
    user = User(username=username, last_name=name.strip(), phone=phone.strip(), role=role, scope_regions=scope,
                bank_id=bank_id)
    user.set_password(password)
    user.save()
    _sync_groups(user)
    return user, password


@transaction.atomic
def user_update(*, actor, user: User, name: str = _KEEP, phone: str = _KEEP, role: str = _KEEP,
                scope: list[str] = _KEEP, bank_id: int | None = _KEEP) -> User:
    """Change a user's name, phone, role, scope or bank (arguments left out keep their value).

    A new role, scope or bank must be one the actor may assign; nobody changes their own.
    Role/scope/bank changes are audited by accounts.signals (user.role), the groups follow the role.
    """
    user = _locked(actor=actor, user=user)
    new = {"role": user.role if role is _KEEP else role, "bank": user.bank_id if bank_id is _KEEP else bank_id,
           "scope": list(user.scope_regions or []) if scope is _KEEP else scope_prefixes(scope)}
    changed = {f for f, old in (("role", user.role), ("bank", user.bank_id), ("scope", user.scope_regions or []))
               if new[f] != old}
    errors = _text_errors(**{k: v for k, v in (("name", name), ("phone", phone)) if v is not _KEEP})
    if changed:
        errors += own_account_errors(changed=changed) if user.pk == actor.pk else []
        errors += _assignment_errors(actor=actor, role=new["role"], scope=new["scope"], bank_id=new["bank"])
    _refuse_if(errors)
    if name is not _KEEP:
        user.last_name, user.first_name = name.strip(), ""
    if phone is not _KEEP:
        user.phone = phone.strip()
    user.role, user.scope_regions, user.bank_id = new["role"], new["scope"], new["bank"]
    user.save()
    _sync_groups(user)
    return user


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool) -> User:
    """Enable or disable a login (a disabled user can neither sign in nor use an API token).
    Nobody disables themselves. Audited by accounts.signals (user.role, field is_active)."""
    user = _locked(actor=actor, user=user)
    if user.pk == actor.pk:
        _refuse_if(own_account_errors(changed={"is_active"}))
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def user_password_reset(*, actor, user: User) -> str:
    """A new temporary password for the user (returned once); the old one and every API token stop
    working. One's own password is changed on the account page. Audited by accounts.signals (user.password)."""
    user = _locked(actor=actor, user=user)
    if user.pk == actor.pk:
        _refuse_if([FieldError("user", "用户：本人密码请在“我的账户”中修改")])
    password = temporary_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    return password


AUDIT_ACTIONS = {  # action code → label (audit log, issue #11 §3)
    "auth.login_failed": _("登录失败"), "auth.locked_out": _("账户被锁定"), "user.create": _("新建用户"),
    "user.role": _("变更角色"), "user.password": _("修改密码"), "user.groups": _("变更用户组"),
    "user.permissions": _("变更权限"), "api_token.issue": _("签发接口令牌"), "api_token.revoke": _("吊销接口令牌"),
}
