"""The demo logins as table rows (for `demo-logins` and the login page's hint)."""

from __future__ import annotations

from microcredit.apps.accounts.models import User
from microcredit.apps.accounts.roles import ROLE_LABELS
from microcredit.apps.core.models import SystemSetting
from microcredit.apps.households.models import Household
from microcredit.apps.regions.models import Region
from microcredit.demo.portal import SETTING as PORTAL_SETTING
from microcredit.demo.users import DEMO_PASSWORD, DEMO_USERS


def scope_label(user: User) -> str:
    """A readable scope: region names of the prefixes (and the bank)."""
    if user.is_superuser or user.role == "admin":
        return "全部"
    names = []
    for prefix in user.scope_regions or []:
        region = Region.objects.filter(code=prefix.ljust(12, "0")).first()
        names.append(region.name if region else prefix)
    label = "、".join(names) or "无"
    if user.bank_id:
        label = f"{user.bank}（{label}）"
    return label


def demo_login_rows() -> list[tuple[str, str, str, str, str]]:
    usernames = [u for u, *_ in DEMO_USERS]
    users = {u.username: u for u in User.objects.filter(username__in=usernames).select_related("bank")}
    return [
        (name, DEMO_PASSWORD, users[name].get_full_name(), ROLE_LABELS.get(users[name].role, ""), scope_label(users[name]))
        for name in usernames if name in users
    ]


def demo_portal_rows() -> list[tuple[str, str, str]]:
    """(phone, head's name, 户编号) of the households the demo step "portal" prepared for the portal."""
    ids = [int(i) for i in SystemSetting.get(PORTAL_SETTING).split(",") if i.strip().isdigit()]
    found = {h.pk: h for h in Household.objects.filter(pk__in=ids)}
    return [(found[i].phone, found[i].head_name, found[i].number) for i in ids if i in found]
