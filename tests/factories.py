"""Shared test factories: a small region tree, households with valid ID numbers, users by role.

    tree = make_region_tree()                 # 河南省 › 三门峡市 › 卢氏县 › 2 乡镇 › 2 村 each
    hh = make_household(tree.villages[0])     # a 贫困户 with a head member (valid ID number)
    clerk = make_user("village_station", scope_regions=[tree.villages[0].prefix])

These write directly through the ORM (no audit rows, no services) so tests stay fast; use the
services when the audit trail is what the test is about.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from microcredit.domain.identity import make_id_number

_serial = itertools.count(1)


@dataclass
class RegionTree:
    """The regions of `make_region_tree()`.

    Attributes:
        townships: [城关镇, 东明镇]
        villages: [城关镇 东关村, 城关镇 西关村, 东明镇 东明村, 东明镇 南沟村] (flat, by code)
        villages_of: township code → its two villages
    """

    province: object
    city: object
    county: object
    townships: list
    villages: list
    villages_of: dict


def make_region_tree() -> RegionTree:
    """Province 410000000000 › city 411200000000 › county 411224000000 (卢氏县) › townships
    411224100000 (城关镇), 411224101000 (东明镇) › villages …001, …002 under each."""
    from microcredit.apps.regions.models import Region

    def region(code, name, level, parent=None):
        obj, _ = Region.objects.get_or_create(code=code, defaults={"name": name, "level": level, "parent": parent})
        return obj

    province = region("410000000000", "河南省", "province")
    city = region("411200000000", "三门峡市", "city", province)
    county = region("411224000000", "卢氏县", "county", city)
    townships, villages, villages_of = [], [], {}
    for t_code, t_name, v_names in (
        ("411224100000", "城关镇", ("东关村", "西关村")),
        ("411224101000", "东明镇", ("东明村", "南沟村")),
    ):
        township = region(t_code, t_name, "township", county)
        townships.append(township)
        own = [region(f"{t_code[:9]}{i:03d}", name, "village", township) for i, name in enumerate(v_names, start=1)]
        villages.extend(own)
        villages_of[t_code] = own
    return RegionTree(province, city, county, townships, villages, villages_of)


def next_id_number(region6: str = "411224", *, male: bool = True, born: dt.date | None = None) -> str:
    """A fresh valid ID number (unique within the test run)."""
    n = next(_serial)
    birth = born or dt.date(1960, 1, 1) + dt.timedelta(days=n // 400)
    return make_id_number(region6, birth, n % 400, male)


def make_household(village, *, members: int = 0, **fields):
    """A household in `village` with its head (and `members` more members: spouse, children).

    Any Household field can be given (status, is_wubao, head_name, phone, income_per_head …);
    defaults: a 贫困户 with income 3,500.00 元 per head, number "HH<serial>".
    """
    from microcredit.apps.households.models import Household, Member, Relation
    from microcredit.domain.identity import parse_id_number

    n = next(_serial)
    head_id = fields.pop("head_id_number", None) or next_id_number(village.code[:6])
    defaults = {
        "number": f"HH{n:06d}", "head_name": f"户主{n}", "status": "poor", "phone": f"138{n:08d}",
        "income_per_head": 350000, "year_registered": 2015,
    }
    household = Household.objects.create(
        village=village, region_code=village.code, head_id_number=head_id, **(defaults | fields)
    )
    info = parse_id_number(head_id)
    Member.objects.create(household=household, name=household.head_name, id_number=head_id,
                          relation=Relation.HEAD, birth_date=info.birth_date, is_male=info.is_male)
    for i in range(members):
        idn = next_id_number(village.code[:6], male=bool(i % 2), born=dt.date(1990 + i, 3, 1 + i))
        info = parse_id_number(idn)
        Member.objects.create(household=household, name=f"成员{n}-{i + 1}", id_number=idn,
                              relation=Relation.SPOUSE if i == 0 else Relation.CHILD,
                              birth_date=info.birth_date, is_male=info.is_male)
    return household


def make_user(role: str, scope_regions: list[str] | None = None, bank=None, *, username: str | None = None,
              password: str = "pw-test-123", **fields):
    """A user of `role` (a roles.py name, e.g. "county_office") in the role's group.

    `scope_regions` are code prefixes (e.g. `tree.county.prefix`); default: no regions.
    """
    from django.contrib.auth.models import Group

    from microcredit.apps.accounts.models import User
    from microcredit.apps.accounts.roles import sync_roles

    if not Group.objects.filter(name=role).exists():
        sync_roles()
    user = User.objects.create_user(
        username=username or f"{role}-{next(_serial)}", password=password, role=role,
        scope_regions=list(scope_regions or []), bank=bank, **fields,
    )
    user.groups.add(Group.objects.get(name=role))
    return user


def make_bank(code: str = "NSH", name: str = "卢氏农商银行"):
    """A partner bank (for bank officers)."""
    from microcredit.apps.reference.models import Bank

    bank, _ = Bank.objects.get_or_create(code=code, defaults={"name": name, "short_name": name[:8]})
    return bank


CARD_NUMBER = "6217000010001234569"
"""A valid UnionPay debit card number (19 digits, Luhn check digit 9) for disbursements."""
