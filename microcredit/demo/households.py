"""Step "households": the registry (建档立卡) — households and members with valid ID numbers.

Figures (shares, ages, incomes) are plausible defaults for a poor mountain county, not data:

* 40% of households were registered poor in 2014–2019 (most in 2014); of them 90% exited by
  2020 (``year_exited``), 8% exited but are monitored again after 2021 (监测对象), 2% are still
  poor. Of the others 5% are 边缘易致贫户 and 4% 监测对象 (identified 2021–2025), the rest 一般农户.
* 五保户 about 2% (old people living alone, no labour), 低保户 more often among poor households.
* Members: head, spouse, children, the head's parents, sometimes grandchildren; ages fit the
  relations. Every ID number is valid (GB 11643), starts with the county's 6 digits and is
  unique across the county (a counter per birth date and sex).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection, transaction

from microcredit.apps.households.models import Household, Member
from microcredit.demo.context import DemoContext, HouseholdRef
from microcredit.demo.copy import copy_rows, next_ids
from microcredit.demo.names import full_name, given_name, surname
from microcredit.demo.regions import split
from microcredit.domain.identity import age_on, make_id_number

CHUNK = 2000

_BASE_INCOME_YUAN = {"general": 14000, "exited": 9500, "monitored": 6000, "edge": 6500, "poor": 3800}
_DIBAO_RATE = {"general": 0.02, "exited": 0.12, "monitored": 0.30, "edge": 0.15, "poor": 0.40}


class IdAllocator:
    """Unique ID numbers within one county: a sequence per (birth date, sex)."""

    def __init__(self, region6: str):
        self.region6 = region6
        self._next: dict[tuple[dt.date, bool], int] = {}

    def issue(self, birth: dt.date, male: bool) -> str:
        key = (birth, male)
        seq = self._next.get(key, 0)
        if seq >= 500:
            raise RuntimeError(f"{birth} 出生的{'男' if male else '女'}性超过 500 人，无法分配身份证号")
        self._next[key] = seq + 1
        return make_id_number(self.region6, birth, seq, male)


def _status(rng: random.Random) -> tuple[str, int | None, int | None]:
    """(status now, year registered, year exited)."""
    if rng.random() < 0.40:
        registered = rng.choices((2014, 2015, 2016, 2017, 2018, 2019), (50, 10, 12, 10, 10, 8))[0]
        roll = rng.random()
        if roll < 0.02:
            return "poor", registered, None
        years = list(range(max(registered + 1, 2015), 2021))
        exited = rng.choices(years, [1 + 2 * i for i in range(len(years))])[0]
        return ("monitored" if roll < 0.10 else "exited"), registered, exited
    roll = rng.random()
    if roll < 0.05:
        return "edge", rng.randint(2021, 2025), None
    if roll < 0.09:
        return "monitored", rng.randint(2021, 2025), None
    return "general", None, None


def _birth(rng: random.Random, age: int, anchor: dt.date) -> dt.date:
    """A birth date giving ``age`` whole years on ``anchor``."""
    latest = anchor.replace(year=anchor.year - age) if not (anchor.month == 2 and anchor.day == 29) else \
        dt.date(anchor.year - age, 2, 28)
    return latest - dt.timedelta(days=rng.randint(0, 364))


def _health(rng: random.Random, age: int, poor: bool) -> str:
    ill = (0.08 + max(0, age - 50) * 0.006) * (1.6 if poor else 1.0)
    roll = rng.random()
    if roll >= ill:
        return "healthy"
    return rng.choices(("chronic", "serious", "disabled"), (60, 20, 20))[0]


def _labour(rng: random.Random, age: int, health: str) -> str:
    if age < 16 or age >= 75:
        return "none"
    if health in ("serious", "disabled"):
        return "lost" if rng.random() < 0.6 else "weak"
    if age > 60 or health == "chronic":
        return "weak" if rng.random() < 0.7 else "full"
    return rng.choices(("full", "skilled", "weak"), (75, 17, 8))[0]


def _skill(rng: random.Random, labour: str) -> str:
    if labour == "skilled":
        return "certified" if rng.random() < 0.65 else "some"
    if labour == "full":
        return rng.choices(("certified", "some", "none"), (10, 45, 45))[0]
    return "none"


def _phone(rng: random.Random) -> str:
    return rng.choice(("13", "15", "17", "18", "19")) + f"{rng.randrange(10**9):09d}"


def make_household(rng: random.Random, *, village, number: str, groups: int, ids: IdAllocator,
                   anchor: dt.date) -> tuple[dict, list[dict]]:
    """One household and its members as field values (by attname), drawn from ``rng``."""
    status, year_registered, year_exited = _status(rng)
    poor = status != "general"
    wubao = rng.random() < (0.045 if year_registered and year_registered < 2020 else 0.003)
    people: list[tuple[str, str, int, bool]] = []  # (name, relation, age, male)
    if wubao:
        male = rng.random() < 0.65
        people.append((full_name(rng, male), "head", rng.randint(60, 90), male))
    else:
        male = rng.random() < 0.85
        family = surname(rng)
        head_age = int(rng.triangular(24, 80, 48))
        people.append((family + given_name(rng, male), "head", head_age, male))
        youngest_parent = head_age
        if rng.random() < 0.88 and head_age < 78:
            spouse_age = max(20, head_age + (rng.randint(-6, 3) if male else rng.randint(-3, 6)))
            people.append((full_name(rng, not male), "spouse", spouse_age, not male))
            youngest_parent = min(head_age, spouse_age)
        father_family = family if male else surname(rng)
        children = rng.choices((0, 1, 2, 3, 4), (8, 30, 40, 17, 5))[0]
        for _ in range(children):
            age = youngest_parent - rng.randint(21, 36)
            if age < 0 or (age > 30 and rng.random() < 0.6):
                continue
            child_male = rng.random() < 0.52
            people.append((father_family + given_name(rng, child_male), "child", age, child_male))
        if head_age <= 60:
            for parent_male in rng.sample((True, False), rng.choices((0, 1, 2), (45, 30, 25))[0]):
                age = head_age + rng.randint(22, 34)
                if age <= 92:
                    name = (family + given_name(rng, True)) if parent_male else full_name(rng, False)
                    people.append((name, "parent", age, parent_male))
        if head_age >= 55 and rng.random() < 0.35:
            for _ in range(rng.randint(1, 2)):
                g_male = rng.random() < 0.52
                people.append((father_family + given_name(rng, g_male), "grandchild", rng.randint(0, 12), g_male))
    dibao = not wubao and rng.random() < _DIBAO_RATE[status]
    income = _BASE_INCOME_YUAN[status] * rng.lognormvariate(0, 0.35) * (0.7 if (wubao or dibao) else 1.0)
    group = f"{rng.randint(1, groups)}组"
    members: list[dict] = []
    for name, relation, age, male in people:
        birth = _birth(rng, age, anchor)
        health = _health(rng, age, poor)
        labour = "none" if wubao else _labour(rng, age, health)
        members.append(dict(
            name=name, id_number=ids.issue(birth, male), relation=relation, birth_date=birth, is_male=male,
            labour=labour, skill=_skill(rng, labour), health=health,
            phone=_phone(rng) if relation == "head" or (16 <= age <= 55 and rng.random() < 0.5) else "",
        ))
    head = members[0]
    household = dict(
        number=number, village_id=village.code, region_code=village.code, group_name=group,
        head_name=head["name"], head_id_number=head["id_number"], phone=head["phone"] or _phone(rng),
        address=f"{village.parent.name}{village.name}{group}", status=status, is_wubao=wubao, is_dibao=dibao,
        year_registered=year_registered, year_exited=year_exited, income_per_head=int(income) * 100,
    )
    return household, members


def _able(members: list[dict], anchor: dt.date) -> int:
    return sum(1 for m in members
               if m["labour"] in ("full", "skilled") and 16 <= age_on(m["birth_date"], anchor) <= 65)


def _flush_orm(ctx: DemoContext, batch: list[tuple[dict, list[dict]]]) -> None:
    households = Household.objects.bulk_create([Household(**h) for h, _ in batch], batch_size=CHUNK)
    members: list[Member] = []
    per_household: list[list[Member]] = []
    for household, (_, ms) in zip(households, batch):
        rows = [Member(household_id=household.pk, **m) for m in ms]
        per_household.append(rows)
        members.extend(rows)
    Member.objects.bulk_create(members, batch_size=CHUNK)
    if not ctx.scale.streamed:
        for household, (_, ms), rows in zip(households, batch, per_household):
            ctx.households.append(HouseholdRef(
                id=household.pk, village_code=household.region_code, status=household.status,
                is_wubao=household.is_wubao, head_member_id=rows[0].pk, head_birth=ms[0]["birth_date"],
                able_members=_able(ms, ctx.anchor), income_per_head=household.income_per_head,
            ))
    ctx.count("households", len(households))
    ctx.count("members", len(members))


def _flush_copy(ctx: DemoContext, batch: list[tuple[dict, list[dict]]]) -> None:
    ids = next_ids(Household, len(batch))
    members = []
    for pk, (h, ms) in zip(ids, batch):
        h["id"] = pk
        for m in ms:
            m["household_id"] = pk
        members.extend(ms)
    copy_rows(Household, [h for h, _ in batch])
    copy_rows(Member, members)
    ctx.count("households", len(batch))
    ctx.count("members", len(members))


def create_households(ctx: DemoContext) -> None:
    rng, scale = ctx.rng, ctx.scale
    per_county = split(rng, scale.households, scale.counties, spread=0.0) if scale.counties > 1 else [scale.households]
    batch: list[tuple[Household, list[Member]]] = []
    for county, total in zip(ctx.counties, per_county):
        county6 = county.code[:6]
        ids = IdAllocator(county6)
        villages = [v for v in ctx.villages if v.code.startswith(county6)]
        for village, size in zip(villages, split(rng, total, len(villages))):
            groups = ctx.village_groups[village.code]
            for i in range(size):
                batch.append(make_household(rng, village=village, number=f"{village.code}{i + 1:04d}",
                                            groups=groups, ids=ids, anchor=ctx.anchor))
                if len(batch) >= CHUNK:
                    _write(ctx, batch)
                    batch = []
    if batch:
        _write(ctx, batch)


def _write(ctx: DemoContext, batch) -> None:
    if ctx.scale.streamed:
        flush = _flush_copy if connection.vendor == "postgresql" else _flush_orm
        with transaction.atomic():
            flush(ctx, batch)
        done = ctx.counts["households"]
        if done % 20_000 < CHUNK:
            ctx.log(f"农户：已写入 {done:,} / {ctx.scale.households:,}")
    else:
        _flush_orm(ctx, batch)
