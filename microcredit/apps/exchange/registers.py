"""The registers reconciliation reads besides the ledgers: a bank's column template, the county's register of
public employees (the official_borrower check)."""

from __future__ import annotations

from django.db import transaction

from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.tables import TableError, read_cells
from microcredit.apps.core.workflow import actor_or_none
from microcredit.apps.exchange.errors import ExchangeError
from microcredit.apps.exchange.models import ColumnTemplate, PublicEmployee
from microcredit.domain.cells import CellError, cell_text, normalise_header, parse_id_number, parse_text
from microcredit.domain.errors import FieldError
from microcredit.domain.ledger import BY_KEY

WRITE_BATCH = 2000


@transaction.atomic
def template_save(*, bank, mapping: dict[str, str], actor) -> ColumnTemplate:
    """Save a bank's column mapping {field: header}; empty headers are dropped, each header once."""
    errors, clean, seen = [], {}, {}
    for key, title in (mapping or {}).items():
        if key not in BY_KEY:
            errors.append(FieldError(key, f"没有这一列：{str(key)[:30]}"))
            continue
        title = (title or "").strip()
        if not title:
            continue
        if len(title) > 60:
            errors.append(FieldError(key, f"{BY_KEY[key].header}：列名最多 60 个字"))
            continue
        name = normalise_header(title)[0]
        if name in seen:
            errors.append(FieldError(key, f"{BY_KEY[key].header}：列名“{title}”已用于{BY_KEY[seen[name]].header}"))
            continue
        seen[name], clean[key] = key, title
    if errors:
        raise ExchangeError(errors[0].field, "；".join(e.message for e in errors))
    template, _created = ColumnTemplate.objects.update_or_create(bank=bank, defaults={"mapping": clean,
                                                                                       "updated_by": actor_or_none(actor)})
    record_audit(actor=actor, action="ledger_template", obj=template, after=clean)
    return template


OFFICIAL_COLUMNS = {"身份证号": ("身份证号", "身份证号码", "公民身份号码", "证件号码"), "姓名": ("姓名",),
                    "工作单位": ("工作单位", "单位", "所在单位", "单位名称")}


def _official_header(row: list) -> dict[str, int]:
    names = [normalise_header(cell_text(c))[0] for c in row]
    return {column: names.index(alias) for column, aliases in OFFICIAL_COLUMNS.items() for alias in aliases
            if alias in names}


@transaction.atomic
def officials_import(*, filename: str, data: bytes, actor, replace: bool = True) -> dict[str, int]:
    """The register of public employees (姓名, 身份证号, 工作单位): all rows checked first, then it replaces
    the register (or adds to it). Errors name row, column and rule.

    Raises:
        ExchangeError: listing every error; nothing written.
    """
    try:
        table = read_cells(filename, data)
    except TableError as exc:
        raise ExchangeError("file", exc.message) from None
    header_line = next((n for n, row in enumerate(table[:10]) if "身份证号" in _official_header(row)), None)
    if header_line is None:
        raise ExchangeError("file", "前 10 行内未找到表头（须有 身份证号、姓名 两列，可有 工作单位）")
    index = _official_header(table[header_line])
    errors, people = [], {}
    for line, row in enumerate(table[header_line + 1:], start=header_line + 2):
        if not any(cell_text(c).strip() for c in row):
            continue
        cells = {k: row[p] if p < len(row) else None for k, p in index.items()}
        try:
            number = parse_id_number(cells.get("身份证号"), field="身份证号")
            name = parse_text(cells.get("姓名"), field="姓名", max_length=64)
            unit = parse_text(cells.get("工作单位"), field="工作单位", max_length=100, required=False)
        except CellError as exc:
            errors.append(FieldError(exc.field, f"第{line}行 列{exc.field}：{exc.message}"))
            continue
        people[number] = (name, unit)
    if errors:
        more = f"（共 {len(errors)} 处错误，仅列前 50 处）" if len(errors) > 50 else ""
        raise ExchangeError("file", "；".join(e.message for e in errors[:50]) + more + "；名册未导入")
    if replace:
        PublicEmployee.objects.exclude(id_number__in=list(people)).delete()
    existing = set(PublicEmployee.objects.values_list("id_number", flat=True))
    PublicEmployee.objects.bulk_create([PublicEmployee(id_number=n, name=a, unit=b) for n, (a, b) in people.items()
                                        if n not in existing], batch_size=WRITE_BATCH)
    for obj in PublicEmployee.objects.filter(id_number__in=list(existing & set(people))):
        obj.name, obj.unit = people[obj.id_number]
        obj.save(update_fields=["name", "unit", "uploaded_at"])
    record_audit(actor=actor, action="officials_import", object_type="exchange.publicemployee", object_id="",
                 object_repr=f"公职人员名册 {len(people)} 人", after={"people": len(people), "replace": replace})
    return {"people": len(people)}
