"""Reads of users for their administration, scoped to the administrator (DOMAIN §1, ARCHITECTURE §5).

An administrator (admin role, superuser) sees every user; anyone else sees the users whose every
scope prefix lies inside their own scope — never an administrator, a superuser or a user without
a scope.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from microcredit.apps.accounts.models import User
from microcredit.apps.accounts.roles import ADMIN, BANK, VILLAGE
from microcredit.apps.accounts.scope import Scope
from microcredit.apps.regions.selectors import regions_in_scope
from microcredit.domain.access import within
from microcredit.domain.regions import in_scope


def user_list(*, user, q: str | None = None, role: str | None = None, active: bool | None = None) -> QuerySet[User]:
    """Users the caller may administer, by name/username/phone (``q``), role code and active flag."""
    scope = Scope.of(user)
    qs = User.objects.select_related("bank")
    if not scope.unrestricted:
        candidates = qs.filter(is_superuser=False).exclude(role=ADMIN).values_list("pk", "scope_regions")
        qs = qs.filter(pk__in=[pk for pk, codes in candidates if within(codes or [], scope.region_prefixes)])
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(last_name__icontains=q) | Q(first_name__icontains=q)
                       | Q(phone__icontains=q))
    if role:
        qs = qs.filter(role=role)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("-is_active", "role", "username")


def user_get(*, user, pk: int) -> User:
    """One user the caller may administer; User.DoesNotExist otherwise (its existence not revealed)."""
    return user_list(user=user).get(pk=pk)


def region_names(codes, *, user) -> dict[str, str]:
    """Names of the regions of scope prefixes or codes that ``user`` may see (others left out)."""
    full = {c: c.ljust(12, "0") for c in codes}
    names = dict(regions_in_scope(user=user).filter(code__in=set(full.values())).values_list("code", "name"))
    return {c: names[f] for c, f in full.items() if f in names}


def scope_names(users, *, user) -> dict[str, str]:
    """Every scope prefix of ``users`` worded with the township and county above it, as ``user`` may
    see them: prefix → "卢氏县 › 城关镇 › 东关村" (the county's name alone for a county prefix)."""
    prefixes = {p for u in users for p in (u.scope_regions or [])}
    names = region_names(prefixes | {p[:n] for p in prefixes for n in (6, 9) if len(p) > n}, user=user)
    return {p: " › ".join(names.get(p[:n], "") for n in (6, 9, 12) if n <= len(p) and p[:n] in names) or p
            for p in prefixes}


def contacts_for_village(*, region_code: str, bank_ids=()) -> dict[str, list[User]]:
    """Whom a household of the village ``region_code`` calls (issue #14 §2, 政策明白纸): ``"village"`` the
    active village clerks whose scope covers the village; ``"bank"`` the active officers of the banks
    ``bank_ids`` whose scope covers it (or who have no region scope). Only names and phones are meant
    to be shown."""
    clerks = [u for u in User.objects.filter(role=VILLAGE, is_active=True).order_by("pk")
              if in_scope(region_code, tuple(u.scope_regions or ()))]
    officers = [u for u in User.objects.filter(role=BANK, is_active=True, bank_id__in=list(bank_ids))
                .select_related("bank").order_by("bank_id", "pk")
                if not u.scope_regions or in_scope(region_code, tuple(u.scope_regions))]
    return {"village": clerks, "bank": officers}
