"""Writes to the registry: households, members, the file import, identity checks (DOMAIN §2).

Every function here runs in a transaction and leaves audit rows carrying `household_id`, so
the household's timeline shows what happened to it (ARCHITECTURE §4). Input is parsed at the
edge (forms, API schemas, `registry_file`); the plausibility rules of `domain.registry` are
checked here too, on the values being written, with the business date as today — so no caller
can store what the import refuses (a refusal raises `DomainError`, nothing is written).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from microcredit.apps.audit.services import audit_entry, record_audit, record_audits, snapshot, user_or_none
from microcredit.apps.core.clock import business_date, now
from microcredit.apps.households.models import Household, Member, Relation
from microcredit.apps.households.registry_file import CHUNK, ParsedRegistry
from microcredit.domain.errors import DomainError, FieldError
from microcredit.domain.identity import parse_id_number
from microcredit.domain.registry import (
    HouseholdFacts, MemberFacts, check_household, check_member, default_labour, normalise_phone,
)

HOUSEHOLD_FIELDS = [
    "number", "village_id", "region_code", "group_name", "head_name", "head_id_number", "phone",
    "address", "status", "is_wubao", "is_dibao", "year_registered", "year_exited", "income_per_head",
]
MEMBER_FIELDS = [
    "household_id", "name", "id_number", "relation", "birth_date", "is_male", "labour", "skill",
    "health", "phone",
]


FIELD_LABELS = {"year_registered": "识别年度", "year_exited": "脱贫年度", "income_per_head": "人均纯收入",
                "phone": "电话", "birth_date": "身份证号", "relation": "与户主关系", "labour": "劳动能力"}


def _refuse(errors: list[FieldError]) -> None:
    """Raise every failed rule at once (named by the first field), or nothing."""
    if errors:
        raise DomainError(FIELD_LABELS.get(errors[0].field, errors[0].field), "；".join(e.message for e in errors))


def household_facts(household: Household) -> HouseholdFacts:
    """What the plausibility rules read of a household."""
    return HouseholdFacts(household.year_registered, household.year_exited, household.income_per_head,
                          household.phone)


def member_facts(member: Member) -> MemberFacts:
    """What the plausibility rules read of a member."""
    return MemberFacts(member.birth_date, member.relation, member.labour, member.phone)


def _audit_member(actor, action, member: Member, household: Household, before, after):
    return record_audit(
        actor=actor, action=action, obj=member, object_repr=f"{member.name}（{household.number}）",
        before=before, after=after, region_code=household.region_code, household_id=household.pk,
    )


@transaction.atomic
def household_create(*, actor, village, number: str, head_name: str, head_id_number: str = "",
                     status: str, **fields) -> Household:
    """Register a household in `village` (its head is added as a member separately)."""
    household = Household(
        number=number, village=village, region_code=village.code, head_name=head_name,
        head_id_number=head_id_number, status=status, **fields,
    )
    household.phone = normalise_phone(household.phone)
    _refuse(check_household(household_facts(household), today=business_date()))
    household.full_clean(exclude=[] if head_id_number else ["head_id_number"])
    household.save()
    record_audit(actor=actor, action="household.create", obj=household,
                 after=snapshot(household, HOUSEHOLD_FIELDS), region_code=household.region_code,
                 household_id=household.pk)
    return household


@transaction.atomic
def household_update(*, actor, household: Household, **changes) -> Household:
    """Change a household's facts; no audit row when nothing changed.

    Only the rules reading a changed field are checked: an edit of the address is not refused
    for a phone stored before the rules existed.
    """
    household = Household.objects.select_for_update().get(pk=household.pk)
    before = snapshot(household, HOUSEHOLD_FIELDS)
    if "phone" in changes:
        changes["phone"] = normalise_phone(changes["phone"])
    for name, value in changes.items():
        setattr(household, name, value)
    if "village" in changes or "village_id" in changes:
        household.region_code = household.village_id
    after = snapshot(household, HOUSEHOLD_FIELDS)
    if after == before:
        return household
    _refuse(check_household(household_facts(household), today=business_date(),
                            only=[k for k in after if after[k] != before[k]]))
    household.full_clean()
    household.save()
    record_audit(actor=actor, action="household.update", obj=household,
                 before={k: v for k, v in before.items() if after[k] != v},
                 after={k: v for k, v in after.items() if before[k] != v},
                 region_code=household.region_code, household_id=household.pk)
    return household


@transaction.atomic
def member_create(*, actor, household: Household, name: str, id_number: str, relation: str,
                  **fields) -> Member:
    """Add a member; birth date and sex come from the ID number. A new head updates the household."""
    id_number = id_number.upper()
    info = parse_id_number(id_number)
    today = business_date()
    fields.setdefault("labour", default_labour(info.birth_date, today))
    fields["phone"] = normalise_phone(fields.get("phone", ""))
    member = Member(household=household, name=name, id_number=id_number, relation=relation,
                    birth_date=info.birth_date, is_male=info.is_male, **fields)
    _refuse(check_member(member_facts(member), today=today))
    member.full_clean()
    member.save()
    _audit_member(actor, "member.create", member, household, None, snapshot(member, MEMBER_FIELDS))
    if relation == Relation.HEAD:
        household_update(actor=actor, household=household, head_name=name, head_id_number=id_number)
    return member


@transaction.atomic
def member_update(*, actor, member: Member, **changes) -> Member:
    """Change a member; a changed ID number re-derives birth date and sex."""
    member = Member.objects.select_for_update().select_related("household").get(pk=member.pk)
    before = snapshot(member, MEMBER_FIELDS)
    if "phone" in changes:
        changes["phone"] = normalise_phone(changes["phone"])
    for name, value in changes.items():
        setattr(member, name, value)
    member.id_number = member.id_number.upper()
    info = parse_id_number(member.id_number)
    member.birth_date, member.is_male = info.birth_date, info.is_male
    after = snapshot(member, MEMBER_FIELDS)
    if after == before:
        return member
    _refuse(check_member(member_facts(member), today=business_date(),
                         only=[k for k in after if after[k] != before[k]]))
    member.full_clean()
    member.save()
    _audit_member(actor, "member.update", member, member.household,
                  {k: v for k, v in before.items() if after[k] != v},
                  {k: v for k, v in after.items() if before[k] != v})
    if member.relation == Relation.HEAD:
        household_update(actor=actor, household=member.household, head_name=member.name,
                         head_id_number=member.id_number)
    return member


# --- the file import -------------------------------------------------------------------------


@dataclass
class RegistryImportResult:
    households_created: int = 0
    households_updated: int = 0
    members_created: int = 0
    members_updated: int = 0
    unchanged_rows: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _diff(obj, wanted: dict) -> tuple[dict, dict]:
    before = {k: getattr(obj, k) for k, v in wanted.items() if getattr(obj, k) != v}
    return before, {k: wanted[k] for k in before}


@transaction.atomic
def registry_import(*, parsed: ParsedRegistry, actor=None, source: str = "",
                    report: Callable[[int, int, str], None] | None = None) -> RegistryImportResult:
    """Upsert a validated file: households by 户编号, members by 身份证号, in bulk.

    Only the attributes the file sets are written (absent columns and empty cells keep the
    stored values; new records get the defaults). Re-importing the same file changes nothing
    (only the one "registry.import" summary row is added). Members missing from the file are
    kept, never deleted.
    """
    assert parsed.ok, "registry_import needs a file without errors"
    actor = user_or_none(actor)
    report = report or (lambda done, total, message="": None)
    result = RegistryImportResult()
    audits = []
    total = len(parsed.households) + len(parsed.members)
    stamp = now()

    numbers = list(parsed.households)
    existing: dict[str, Household] = {}
    for chunk in _chunks(numbers):
        existing.update(Household.objects.in_bulk(chunk, field_name="number"))
    new, changed = [], []
    for number, wanted in parsed.households.items():
        household = existing.get(number)
        if household is None:
            new.append(Household(**wanted))
            continue
        before, after = _diff(household, wanted)
        if before:
            for k, v in after.items():
                setattr(household, k, v)
            household.updated_at = stamp
            changed.append((household, before, after))
    Household.objects.bulk_create(new, batch_size=CHUNK)
    for chunk in _chunks([h.number for h in new]):
        existing.update(Household.objects.in_bulk(chunk, field_name="number"))
    for h in new:
        h = existing[h.number]
        audits.append(audit_entry(actor=actor, action="household.import_create", object_type="households.household",
                                  object_id=h.pk, object_repr=str(h), before=None,
                                  after=snapshot(h, HOUSEHOLD_FIELDS), region_code=h.region_code, household_id=h.pk))
    if changed:
        fields = sorted({k for _, _, after in changed for k in after} | {"updated_at"})
        Household.objects.bulk_update([h for h, _, _ in changed], fields, batch_size=CHUNK)
    for h, before, after in changed:
        audits.append(audit_entry(actor=actor, action="household.import_update", object_type="households.household",
                                  object_id=h.pk, object_repr=str(h), before=before, after=after,
                                  region_code=h.region_code, household_id=h.pk))
    result.households_created, result.households_updated = len(new), len(changed)
    report(len(numbers), total, "农户已写入")

    members: dict[str, Member] = {}
    for chunk in _chunks([m["id_number"] for m in parsed.members]):
        members.update(Member.objects.in_bulk(chunk, field_name="id_number"))
    new_m, changed_m = [], []
    for row in parsed.members:
        household = existing[row["household_number"]]
        wanted = {k: row[k] for k in MEMBER_FIELDS if k in row}
        wanted["household_id"] = household.pk
        member = members.get(row["id_number"])
        if member is None:
            defaults = row.get("new_defaults") or {"labour": default_labour(row["birth_date"], business_date())}
            new_m.append((Member(**(defaults | wanted)), household))
            continue
        before, after = _diff(member, wanted)
        if before:
            for k, v in after.items():
                setattr(member, k, v)
            changed_m.append((member, household, before, after))
        else:
            result.unchanged_rows += 1
    for i in range(0, len(new_m), CHUNK):
        Member.objects.bulk_create([m for m, _ in new_m[i:i + CHUNK]])
        report(min(len(numbers) + i + CHUNK, total), total, "成员写入中")
    for chunk in _chunks([m.id_number for m, _ in new_m]):
        members.update(Member.objects.in_bulk(chunk, field_name="id_number"))
    for m, household in new_m:
        m = members[m.id_number]
        audits.append(audit_entry(actor=actor, action="member.import_create", object_type="households.member",
                                  object_id=m.pk, object_repr=f"{m.name}（{household.number}）", before=None,
                                  after=snapshot(m, MEMBER_FIELDS), region_code=household.region_code,
                                  household_id=household.pk))
    if changed_m:
        fields = sorted({k for _, _, _, after in changed_m for k in after})
        Member.objects.bulk_update([m for m, _, _, _ in changed_m], fields, batch_size=CHUNK)
    for m, household, before, after in changed_m:
        audits.append(audit_entry(actor=actor, action="member.import_update", object_type="households.member",
                                  object_id=m.pk, object_repr=f"{m.name}（{household.number}）", before=before,
                                  after=after, region_code=household.region_code, household_id=household.pk))
    result.members_created, result.members_updated = len(new_m), len(changed_m)
    record_audits(audits, batch_size=CHUNK)
    record_audit(actor=actor, action="registry.import", object_type="households.import",
                 object_repr=f"档案导入 {source}".strip(), after=result.as_dict(),
                 note=f"{parsed.rows}行，{len(parsed.households)}户")
    report(total, total, "导入完成")
    return result


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


AUDIT_ACTIONS = {  # action code → label (audit log, issue #11 §3)
    "household.create": _("建档"), "household.update": _("修改农户信息"),
    "household.import_create": _("档案导入：建档"), "household.import_update": _("档案导入：更新农户信息"),
    "member.create": _("新增家庭成员"), "member.update": _("修改家庭成员"),
    "member.import_create": _("档案导入：新增家庭成员"), "member.import_update": _("档案导入：更新家庭成员"),
    "registry.verify": _("合作银行身份核验"), "registry.verify_refused": _("身份核验被拒"), "registry.import": _("导入农户档案"),
}
