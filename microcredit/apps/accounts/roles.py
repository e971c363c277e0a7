"""Roles as Django groups, with their permissions declared here and nowhere else (ARCHITECTURE §5).

`sync_roles` runs after every migrate and makes the groups match this table. Other apps add
their capabilities to `ROLE_PERMISSIONS` with `grant(role, "app_label.codename", …)` from their
`AppConfig.ready()` (through their `permissions.grant_roles()`).
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from microcredit.domain.access import (  # the role codes live with their rules (DOMAIN §1)
    ADMIN, AUDITOR, BANK, COUNTY, FINANCE, HOUSEHOLD, INSURER, PBOC, TOWNSHIP, VILLAGE,
)

ROLE_LABELS = {
    COUNTY: _("县乡村振兴局（县金融服务中心）"),
    TOWNSHIP: _("乡镇金融服务站"),
    VILLAGE: _("村金融服务室"),
    BANK: _("合作银行"),
    PBOC: _("人民银行县支行"),
    FINANCE: _("县财政局"),
    INSURER: _("保险公司"),
    HOUSEHOLD: _("贷款农户"),
    AUDITOR: _("审计（只读）"),
    ADMIN: _("系统管理员"),
}

_READ = ["core.view_dashboard", "core.use_calculator"]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    COUNTY: _READ + [
        "core.view_registry", "core.edit_registry", "core.import_registry", "core.see_identity",
        "core.manage_regions", "core.manage_reference", "core.export_data", "core.manage_users",
    ],
    TOWNSHIP: _READ + ["core.view_registry", "core.edit_registry", "core.see_identity", "core.export_data"],
    VILLAGE: _READ + ["core.view_registry", "core.edit_registry", "core.see_identity", "core.export_data"],
    BANK: _READ + ["core.verify_identity"],
    # each role its own list: `grant` appends in place, a shared list would hand one role's grants to the others
    PBOC: list(_READ),
    FINANCE: list(_READ),
    INSURER: list(_READ),
    HOUSEHOLD: ["core.use_calculator"],
    AUDITOR: _READ + ["core.view_registry", "core.view_audit", "core.export_data"],
    ADMIN: _READ + [
        "core.view_registry", "core.edit_registry", "core.import_registry", "core.see_identity",
        "core.manage_regions", "core.manage_reference", "core.view_audit", "core.export_data",
        "core.manage_users",
    ],
}


def grant(role: str, *permissions: str) -> None:
    """Let another app declare the permissions a role gets (from its AppConfig.ready())."""
    for perm in permissions:
        if perm not in ROLE_PERMISSIONS[role]:
            ROLE_PERMISSIONS[role].append(perm)


def sync_roles(**kwargs) -> None:
    """Create/refresh one Group per role with exactly the declared permissions."""
    # Function-level: accounts.models imports this module for ROLE_LABELS while the apps are loading.
    from django.contrib.auth.models import Group, Permission

    # Every app granted its permissions in its AppConfig.ready() (ADR 0003).
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is None:  # a misspelt grant must not silently leave a role without the permission
                raise ImproperlyConfigured(f"role {role!r} is granted {dotted!r}, which no installed app defines")
            wanted.append(perm)
        group.permissions.set(wanted)
