"""Step "users": one demo login per role, password ``demo`` (demo data only)."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from microcredit.apps.accounts import roles
from microcredit.apps.accounts.models import User
from microcredit.demo.context import DemoContext

DEMO_PASSWORD = "demo"

# username, role, (family name, given name), scope kind
DEMO_USERS = (
    ("county", roles.COUNTY, ("王", "建国"), "county"),
    # 领导小组办公室: approves what the county office verified (four eyes on claims and batches).
    ("county2", roles.COUNTY, ("吴", "德明"), "county"),
    ("township", roles.TOWNSHIP, ("李", "秀英"), "township"),
    ("village", roles.VILLAGE, ("张", "志强"), "village"),
    # 村两委 member who gives the 村初审: nobody approves what they submitted (segregation of duties).
    ("village2", roles.VILLAGE, ("马", "玉兰"), "village"),
    ("bank", roles.BANK, ("刘", "芳"), "bank"),
    ("pboc", roles.PBOC, ("陈", "立新"), "county"),
    ("finance", roles.FINANCE, ("杨", "明华"), "county"),
    ("auditor", roles.AUDITOR, ("赵", "静"), "county"),
    ("insurer", roles.INSURER, ("周", "海峰"), "county"),
    ("admin", roles.ADMIN, ("孙", "伟"), "all"),
)
# Whom a household calls (the portal's 政策明白纸 shows the clerk's and the bank officer's numbers).
PHONES = {"village": "13912340001", "village2": "13912340002", "township": "13912340003", "bank": "13912340006"}


def _group(role: str) -> Group:
    group = Group.objects.filter(name=role).first()
    if group is None:  # groups are made after migrate; make sure they exist
        roles.sync_roles()
        group = Group.objects.get(name=role)
    return group


def create_users(ctx: DemoContext) -> None:
    county6 = ctx.county.code[:6]
    township = next(t for t in ctx.townships if t.code.startswith(county6))
    village = next(v for v in ctx.villages if v.code.startswith(township.code[:9]))
    scopes = {"county": [county6], "township": [township.code[:9]], "village": [village.code],
              "bank": [county6], "all": []}
    password = make_password(DEMO_PASSWORD)  # hashed once: nine PBKDF2 rounds would cost seconds
    for username, role, (family, given), kind in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User.objects.create(
            username=username, password=password, role=role, last_name=family, first_name=given,
            phone=PHONES.get(username, ""),
            scope_regions=scopes[kind], bank=ctx.banks[0] if kind == "bank" else None,
            is_superuser=kind == "all", is_staff=kind == "all",
        )
        user.groups.add(_group(role))
        ctx.users[username] = user
    ctx.count("users", len(ctx.users))
