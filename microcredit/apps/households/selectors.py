"""Reads of the registry; every one narrowed by the caller's scope (ARCHITECTURE §5).

`households_in_scope` is the one definition of "the households a user may see"; other apps read
households through it (or `household_list` / `household_get`) and the re-exported vocabularies.
"""

from __future__ import annotations

from itertools import islice

from django.db import connection
from django.db.models.expressions import RawSQL
from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.query import ModelIterable

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.audit.selectors import household_audit_entries
from microcredit.apps.households.models import Health, Household, HouseholdStatus, Member, SkillLevel

CHUNK = 900  # ID numbers per query: below SQLite's historical 999 parameters

VOCABULARIES = (Health, HouseholdStatus, SkillLevel)  # re-exported for other apps' forms and rules

FILTERS = ("township", "village", "status", "wubao", "dibao", "q")


def households_in_scope(*, user) -> QuerySet[Household]:
    """Every household the user may see (by region code; the system sees all)."""
    return Scope.of(user).filter_regions(Household.objects.all(), "region_code")


def households_per_village(user) -> dict[str, int]:
    """{village code: households in the user's scope} (one aggregate query; the region tree)."""
    return dict(households_in_scope(user=user).values("village_id").annotate(n=Count("id"))
                .values_list("village_id", "n"))


class WithMemberCount(ModelIterable):
    """Households as fetched, each given ``member_count`` by one query per batch of fetched rows
    (``household_id IN (the batch's ids)``): a page of 50 costs one indexed look-up, an export one per
    900 rows. A ``Count("members")`` annotation instead joined every household in scope to its
    members and grouped them all before the LIMIT (issue #15 §4: 5.2 s for a province's first page);
    a correlated sub-query in the SELECT list is postponed past ORDER BY … LIMIT by PostgreSQL but
    still evaluated for every row an OFFSET skips (5 s for the last page)."""

    def __iter__(self):
        rows = super().__iter__()
        while batch := list(islice(rows, CHUNK)):
            counts = dict(Member.objects.filter(household_id__in=[h.pk for h in batch]).order_by()
                          .values("household_id").annotate(n=Count("id")).values_list("household_id", "n"))
            for household in batch:
                household.member_count = counts.get(household.pk, 0)
                yield household


def household_list(*, user, **filters) -> QuerySet[Household]:
    """Households in scope matching the list filters, each with ``member_count`` (no GROUP BY over the set).

    Args:
        filters: township (9-digit prefix or 12-digit code), village (12-digit code), status,
            wubao / dibao ("1" yes, "0" no), q (head's name, 户编号, a member's name or ID number).
    """
    qs = households_in_scope(user=user).select_related("village", "village__parent")
    if filters.get("township"):
        prefix = filters["township"][:9]  # the range lets the plain region_code index bound the scan
        # (PostgreSQL uses no index for LIKE under the C.UTF-8 collation; codes are digits, so the range
        # holds exactly the prefix's codes): 132 ms → 4 ms for a township's first page in a province
        qs = qs.filter(region_code__startswith=prefix, region_code__gte=prefix,
                       region_code__lt=prefix[:-1] + chr(ord(prefix[-1]) + 1))
    if filters.get("village"):
        qs = qs.filter(village_id=filters["village"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    for key, field in (("wubao", "is_wubao"), ("dibao", "is_dibao")):
        if filters.get(key) in ("1", "0"):
            qs = qs.filter(**{field: filters[key] == "1"})
    q = (filters.get("q") or "").strip()
    if q:
        member_match = Member.objects.filter(household=OuterRef("pk")).filter(
            Q(name__contains=q) | Q(id_number=q.upper())
        )
        qs = qs.filter(Q(head_name__contains=q) | Q(number=q) | Q(head_id_number=q.upper()) | Exists(member_match))
    qs = qs.order_by("region_code", "number")
    qs._iterable_class = WithMemberCount  # member_count for the fetched rows only (not an annotation)
    return qs


def household_get(*, user, pk: int) -> Household:
    """One household in scope; Household.DoesNotExist outside it (its existence is not revealed)."""
    return households_in_scope(user=user).select_related("village", "village__parent").get(pk=pk)


def household_members(*, household: Household) -> QuerySet[Member]:
    return household.members.order_by(Case(When(relation="head", then=Value(0)), default=Value(1)), "birth_date")


def household_timeline(*, household: Household) -> QuerySet:
    """Everything recorded against the household, newest first."""
    return household_audit_entries(household_id=household.pk)


def member_by_id_number(*, user, id_number: str) -> Member | None:
    """The registered member with this ID number in the user's scope, else None."""
    qs = Scope.of(user).filter_regions(Member.objects.select_related("household"), "household__region_code")
    return qs.filter(id_number=id_number.strip().upper()).first()


def people_by_id_number(id_numbers) -> dict[str, tuple]:
    """Registered people among ``id_numbers`` (the reconciliation of bank ledgers, DOMAIN §10): ID number →
    (household id, household status, 五保户, birth date, region code, head's ID number). System read: the
    findings it feeds are shown in each reader's scope."""
    out, pending = {}, sorted(set(id_numbers))
    columns = ("id_number", "household_id", "household__status", "household__is_wubao", "birth_date",
               "household__region_code", "household__head_id_number")
    if connection.vendor == "postgresql":  # one array parameter, not one parameter per number
        match = RawSQL("SELECT unnest(%s::varchar[])", (pending,))
        return {row[0]: row[1:] for row in Member.objects.filter(id_number__in=match).values_list(*columns)}
    for start in range(0, len(pending), CHUNK):
        rows = Member.objects.filter(id_number__in=pending[start:start + CHUNK]).values_list(*columns)
        out.update((row[0], row[1:]) for row in rows)
    return out
