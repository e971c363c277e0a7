"""Audit rows for what happens to accounts outside the business services (issue #9 §1).

- failed logins and lockouts (Django's ``user_login_failed``, axes' ``user_locked_out``);
- a user created, or a change of role, scope, bank, active/staff/superuser flags — from the
  admin, a service or the shell alike (``pre_save``/``post_save`` on User);
- groups and individual permissions added or removed (``m2m_changed`` on both sides);
- a new password, which also revokes every API token of the user.
The acting user comes from the current request (accounts.current); outside a request it is the
system.
"""

from __future__ import annotations

import os

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save

from microcredit.apps.accounts.current import current_actor
from microcredit.apps.accounts.lockout import client_ip
from microcredit.apps.accounts.models import User
from microcredit.apps.accounts.tokens import revoke_user_tokens
from microcredit.apps.audit.services import record_audit, snapshot

# The fields that decide what a user may see and do (ARCHITECTURE §5).
ACCESS_FIELDS = ["role", "scope_regions", "bank_id", "household_id", "is_active", "is_staff", "is_superuser"]


def region_of(user: User) -> str:
    """Where a user's account rows belong in the audit trail: the common prefix of the user's
    scope, so a county's auditor sees the changes to that county's accounts ("" when none)."""
    return os.path.commonprefix([str(p) for p in user.scope_regions or []]) if user.scope_regions else ""


def _username_from(credentials: dict) -> str:
    return str(credentials.get("username") or "")[:150]


def on_login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    username = _username_from(credentials)
    user = User.objects.filter(username=username).first() if username else None
    record_audit(
        actor=None, action="auth.login_failed", object_type="accounts.user",
        object_id=str(user.pk) if user else "", object_repr=f"登录失败：{username or '（未填用户名）'}",
        note=f"IP {client_ip(request)}" if request is not None else "",
    )


def on_locked_out(sender, request=None, username: str = "", ip_address: str = "", **kwargs) -> None:
    user = User.objects.filter(username=username).first() if username else None
    record_audit(
        actor=None, action="auth.locked_out", object_type="accounts.user",
        object_id=str(user.pk) if user else "", object_repr=f"登录锁定：{username}",
        note=f"IP {ip_address}",
    )


def _tracks(update_fields) -> bool:
    """False for saves that touch none of the access fields or the password (e.g. last_login)."""
    if update_fields is None:
        return True
    names = set(update_fields)
    return bool(names & ({"password"} | set(ACCESS_FIELDS) | {f.removesuffix("_id") for f in ACCESS_FIELDS}))


def remember_access_fields(sender, instance: User, raw=False, update_fields=None, **kwargs) -> None:
    instance._access_before = None
    if raw or instance.pk is None or not _tracks(update_fields):
        return
    old = User.objects.filter(pk=instance.pk).first()
    instance._access_before = snapshot(old, ACCESS_FIELDS) if old else None


def audit_access_fields(sender, instance: User, created: bool, raw=False, update_fields=None, **kwargs) -> None:
    if raw:
        return
    actor = current_actor()
    if created:
        record_audit(actor=actor, action="user.create", obj=instance, region_code=region_of(instance),
                     after=snapshot(instance, ["username", *ACCESS_FIELDS]))
        return
    before = getattr(instance, "_access_before", None)
    if before is not None:
        after = snapshot(instance, ACCESS_FIELDS)
        changed = [name for name in ACCESS_FIELDS if before[name] != after[name]]
        if changed:
            record_audit(actor=actor, action="user.role", obj=instance, region_code=region_of(instance),
                         before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    # set_password() leaves the new raw password in _password until save() has run.
    if getattr(instance, "_password", None) is not None:
        record_audit(actor=actor, action="user.password", obj=instance, region_code=region_of(instance),
                     note="密码已修改，API 令牌全部撤销")
        revoke_user_tokens(user=instance, actor=actor, reason="password_change")


_M2M_ACTIONS = {"groups": ("user.groups", "name"), "user_permissions": ("user.permissions", "codename")}


def audit_membership(field: str):
    """An m2m_changed receiver for User.<field> (groups or user_permissions), from either side:
    ``user.groups.add(g)`` (forward) and ``group.user_set.add(u)`` (reverse) alike."""
    action_name, label_attr = _M2M_ACTIONS[field]

    def record(user: User, verb: str, labels: list[str]) -> None:
        record_audit(actor=current_actor(), action=action_name, obj=user, region_code=region_of(user),
                     after={verb: sorted(labels)})

    def receiver(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
        if action == "pre_clear":
            # clear() sends no pk_set: remember what is about to go.
            related = instance.user_set if reverse else getattr(instance, field)
            instance._m2m_cleared = set(related.values_list("pk", flat=True))
            return
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        verb = "added" if action == "post_add" else "removed"
        pks = instance.__dict__.pop("_m2m_cleared", set()) if action == "post_clear" else (pk_set or set())
        if not pks:
            return
        if reverse:  # instance is the Group/Permission, pks are users
            for user in User.objects.filter(pk__in=pks):
                record(user, verb, [getattr(instance, label_attr)])
        else:
            record(instance, verb, list(model.objects.filter(pk__in=pks).values_list(label_attr, flat=True)))

    return receiver


_receivers = {field: audit_membership(field) for field in _M2M_ACTIONS}


def connect() -> None:
    user_login_failed.connect(on_login_failed, dispatch_uid="accounts_audit_login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="accounts_audit_locked_out")
    pre_save.connect(remember_access_fields, sender=User, dispatch_uid="accounts_remember_access")
    post_save.connect(audit_access_fields, sender=User, dispatch_uid="accounts_audit_access")
    m2m_changed.connect(_receivers["groups"], sender=User.groups.through, dispatch_uid="accounts_audit_groups")
    m2m_changed.connect(_receivers["user_permissions"], sender=User.user_permissions.through,
                        dispatch_uid="accounts_audit_permissions")
