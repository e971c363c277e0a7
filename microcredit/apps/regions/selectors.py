"""Reads of the region tree, always narrowed to the caller's scope (ARCHITECTURE §5)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from microcredit.apps.accounts.scope import SYSTEM, Scope
from microcredit.apps.core.panels import village_counts
from microcredit.apps.regions.models import Region


@dataclass
class TreeNode:
    """A region with its children and the number of households under it (in scope)."""

    region: Region
    households: int = 0
    children: list["TreeNode"] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "code": self.region.code, "name": self.region.name, "level": self.region.level,
            "households": self.households, "children": [c.as_dict() for c in self.children],
        }


def regions_in_scope(*, user, level: str | None = None, levels: tuple[str, ...] = ()) -> QuerySet[Region]:
    """Regions at or under the user's scope prefixes (optionally of one level, or of some levels)."""
    qs = Region.objects.filter(level__in=levels) if levels else Region.objects.all()
    if level:
        qs = qs.filter(level=level)
    return Scope.of(user).filter_regions(qs, "code")


def villages_in_scope(*, user) -> QuerySet[Region]:
    return regions_in_scope(user=user, level="village").select_related("parent")


def townships_in_scope(*, user) -> list[Region]:
    """Townships in scope, plus the townships of villages in scope (a village clerk's own)."""
    codes = set(regions_in_scope(user=user, level="township").values_list("code", flat=True))
    codes |= set(villages_in_scope(user=user).values_list("parent_id", flat=True))
    return list(Region.objects.filter(code__in=codes).order_by("code"))


def region_tree(*, user) -> list[TreeNode]:
    """County → township → village nodes visible to the user, with household counts.

    Counts are of households in the user's scope (one aggregate query); ancestors of what the
    user may see are shown so a village clerk still sees where the village lies.
    """
    villages = list(villages_in_scope(user=user))
    townships = townships_in_scope(user=user)
    county_codes = {t.parent_id for t in townships} | set(
        regions_in_scope(user=user, level="county").values_list("code", flat=True)
    )
    counties = list(Region.objects.filter(code__in=county_codes).order_by("code"))
    counts = village_counts(user)
    by_code: dict[str, TreeNode] = {c.code: TreeNode(c) for c in counties}
    for t in townships:
        node = TreeNode(t)
        by_code[t.code] = node
        if t.parent_id in by_code:
            by_code[t.parent_id].children.append(node)
    for v in villages:
        node = TreeNode(v, households=counts.get(v.code, 0))
        parent = by_code.get(v.parent_id)
        if parent is not None:
            parent.children.append(node)
            parent.households += node.households
            if parent.region.parent_id in by_code:
                by_code[parent.region.parent_id].households += node.households
    return [by_code[c.code] for c in counties]


def region_names(codes) -> dict[str, str]:
    """Names by code of regions (a short code: the region it pads to with zeros; unknown: the code)."""
    full = {c: c.ljust(12, "0") for c in codes}
    names = dict(regions_in_scope(user=SYSTEM).filter(code__in=full.values()).values_list("code", "name"))
    return {c: names.get(f, c) for c, f in full.items()}


class RegionNames:
    """Code → name, read per code: the ``region`` vocabulary of core.labels (a county has thousands of villages)."""

    def get(self, code: str, default=None):
        return region_names([code]).get(code, default)


def region_list(*, user, level: str | None = None) -> list[dict]:
    """Flat list of regions in scope: code, name, level, parent code."""
    return [
        {"code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent_id}
        for r in regions_in_scope(user=user, level=level).order_by("code")
    ]
