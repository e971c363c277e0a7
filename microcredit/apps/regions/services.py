"""Writes to the region tree: the CSV import of statistical division codes (DOMAIN §2).

`import_regions(rows, actor)` validates every row first (codes per
`domain.regions.region_code_errors`, parents known, names present, no duplicates) and writes
nothing when any row is bad. Otherwise, in one transaction, it creates the new regions and
renames/re-parents changed ones, with one audit row per change. Importing the same file again
changes nothing (ARCHITECTURE §4).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from microcredit.apps.audit.services import audit_entry, record_audits
from microcredit.apps.regions.models import Region
from microcredit.domain.regions import LEVELS, region_code_errors, region_level

# Column → accepted header spellings (Chinese first).
COLUMNS = {
    "code": ("代码", "区划代码", "code"),
    "name": ("名称", "name"),
    "parent_code": ("上级代码", "parent_code", "parent"),
}
COLUMN_LABELS = {"code": "代码", "name": "名称", "parent_code": "上级代码"}


@dataclass
class RegionImportResult:
    """What an import did (or, with `errors`, why it did nothing)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _canonical_key(header: str) -> str | None:
    text = (header or "").strip().lstrip("\ufeff").lower()
    for key, spellings in COLUMNS.items():
        if text in spellings:
            return key
    return None


def read_regions_csv(data: bytes | str) -> list[dict[str, str]]:
    """Rows of a region CSV (UTF-8, BOM tolerated) as dicts keyed code/name/parent_code.

    Unknown columns are ignored; missing columns give empty strings.
    """
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    keys = [_canonical_key(h) for h in header]
    rows = []
    for raw in reader:
        if not any(cell.strip() for cell in raw):
            continue
        row = {"code": "", "name": "", "parent_code": ""}
        for key, cell in zip(keys, raw):
            if key:
                row[key] = cell.strip()
        rows.append(row)
    return rows


def _normalise(rows: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """Accept dicts keyed by Chinese or English headers."""
    out = []
    for row in rows:
        clean = {"code": "", "name": "", "parent_code": ""}
        for header, value in row.items():
            key = _canonical_key(header)
            if key:
                clean[key] = (value or "").strip() if isinstance(value, str) else str(value or "").strip()
        out.append(clean)
    return out


def validate_region_rows(rows: list[dict[str, str]]) -> list[str]:
    """Every error of the file as "第N行 列X：规则" (N counts the header as row 1)."""
    errors: list[str] = []
    seen: dict[str, int] = {}
    in_file = {r["code"] for r in rows}
    parents_needed = {r["parent_code"] for r in rows if r["parent_code"]} - in_file
    known = set(Region.objects.filter(code__in=parents_needed).values_list("code", flat=True))
    for n, row in enumerate(rows, start=2):
        code, name, parent = row["code"], row["name"], row["parent_code"] or None
        if not code:
            errors.append(f"第{n}行 列{COLUMN_LABELS['code']}：不能为空")
            continue
        if code in seen:
            errors.append(f"第{n}行 列{COLUMN_LABELS['code']}：代码{code}与第{seen[code]}行重复")
        seen.setdefault(code, n)
        if not name:
            errors.append(f"第{n}行 列{COLUMN_LABELS['name']}：不能为空")
        elif len(name) > Region._meta.get_field("name").max_length:
            errors.append(f"第{n}行 列{COLUMN_LABELS['name']}：名称过长")
        if not code.isascii() or (parent and not parent.isascii()):
            # str.isdigit() accepts full-width digits; codes must be ASCII digits.
            column = COLUMN_LABELS["code"] if not code.isascii() else COLUMN_LABELS["parent_code"]
            errors.append(f"第{n}行 列{column}：区划代码必须是半角数字")
            continue
        rule_errors = region_code_errors(code, parent)
        for rule in rule_errors:
            column = COLUMN_LABELS["parent_code"] if rule.endswith(("必须有上级区划", "上级区划代码格式错误")) else COLUMN_LABELS["code"]
            errors.append(f"第{n}行 列{column}：{rule}")
        if parent and not rule_errors and parent not in in_file and parent not in known:
            errors.append(f"第{n}行 列{COLUMN_LABELS['parent_code']}：上级区划{parent}不存在")
    return errors


def _audit(actor, action: str, region: Region, before: dict | None, after: dict):
    return audit_entry(actor=actor, action=action, object_type="regions.region", object_id=region.code,
                       object_repr=f"{region.name}（{region.code}）", before=before, after=after,
                       region_code=region.code)


@transaction.atomic
def import_regions(rows: Iterable[Mapping[str, str]], actor=None) -> RegionImportResult:
    """Import region rows (code, name, parent code) all-or-nothing and idempotently.

    Args:
        rows: dicts keyed 代码/名称/上级代码 (or code/name/parent_code).
        actor: the importing user (None for the system).

    Returns:
        A `RegionImportResult`; when `errors` is not empty nothing was written.
    """
    clean = _normalise(rows)
    result = RegionImportResult(errors=validate_region_rows(clean))
    if result.errors:
        return result
    clean.sort(key=lambda r: LEVELS.index(region_level(r["code"])))
    existing = Region.objects.in_bulk([r["code"] for r in clean])
    audits = []
    for row in clean:
        wanted = {"name": row["name"], "level": region_level(row["code"]), "parent_id": row["parent_code"] or None}
        region = existing.get(row["code"])
        if region is None:
            region = Region.objects.create(code=row["code"], **wanted)
            audits.append(_audit(actor, "region.create", region, None, {"code": region.code, **wanted}))
            result.created += 1
            continue
        before = {k: getattr(region, k) for k in wanted}
        if before == wanted:
            result.unchanged += 1
            continue
        for k, v in wanted.items():
            setattr(region, k, v)
        region.save()
        audits.append(_audit(actor, "region.update", region, before, wanted))
        result.updated += 1
    record_audits(audits)
    return result


AUDIT_ACTIONS = {"region.create": _("新增行政区划"), "region.update": _("修改行政区划")}  # action code → label (audit log)
