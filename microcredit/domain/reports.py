"""Report definitions as data (DOMAIN §9; issue #12 §9): validating a definition, reading its
parameters, laying out its rows with subtotals and totals, and exact unit conversion.

A definition ("spec") is a JSON object a county edits on a page::

    {"title": "扶贫小额贷款发放情况明细表", "dataset": "loans_disbursed",
     "params": ["region", "month", "bank"], "unit": "元", "numbered": true,
     "group_by": "township", "totals": true, "footer": "",
     "columns": [{"field": "township", "header": "乡镇", "format": "text"},
                 {"field": "principal", "header": "贷款金额", "format": "money"},
                 {"field": "overdue_ratio", "header": "逾期率", "format": "ratio",
                  "ratio_of": ["overdue_balance", "balance"]}, …]}

The datasets (what rows exist and which named, typed columns they carry) belong to the app; this
module receives their shapes and checks a definition against them, every failure at once, each a
Chinese message naming the field. Money is integer fen throughout; 万元 is an exact Decimal
division rounded half-up to two places only for display; ratios are exact fractions rounded to
4 places.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

# Column kinds a dataset declares, and the formats a definition may ask for on each.
KINDS = ("text", "int", "money", "ratio", "date", "rate")
FORMATS = {"text": "文本", "int": "整数", "money": "金额", "ratio": "比率", "date": "日期", "rate": "利率（%）",
           "blank": "空白列（签章等）"}
FORMAT_FOR_KIND = {"text": {"text"}, "int": {"int", "text"}, "money": {"money"}, "ratio": {"ratio"},
                   "date": {"date", "text"}, "rate": {"rate", "text"}}
PARAMS = {"region": "区划", "as_of": "统计日期", "month": "月份", "quarter": "季度", "bank": "银行",
          "months": "提前月数"}
UNITS = ("元", "万元")
MAX_COLUMNS = 60
MAX_TITLE = 100
MAX_HEADER = 40
MAX_FOOTER = 300
MAX_MONTHS_AHEAD = 12
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
SPEC_KEYS = {"title", "dataset", "params", "columns", "group_by", "totals", "numbered", "unit", "footer"}
COLUMN_KEYS = {"field", "header", "format", "ratio_of", "total"}
FEN_PER_WAN = 1_000_000  # 1 万元 = 10,000 元 = 1,000,000 分
TWO_PLACES, FOUR_PLACES = Decimal("0.01"), Decimal("0.0001")


@dataclass(frozen=True)
class DatasetShape:
    """What a dataset offers: its label, its columns (field → kind) and the parameters it needs."""

    label: str
    columns: Mapping[str, str]  # field → one of KINDS
    params: tuple[str, ...] = ()
    labels: Mapping[str, str] | None = None  # field → Chinese name, for messages and the form


@dataclass(frozen=True)
class SpecError:
    field: str  # e.g. "columns[3].field"
    message: str


def _is_text(value, limit: int, *, blank: bool = False) -> bool:
    return isinstance(value, str) and len(value) <= limit and (blank or bool(value.strip()))


def validate_spec(spec, datasets: Mapping[str, DatasetShape]) -> list[SpecError]:
    """Every failure of a report definition at once (empty list: valid). Unknown keys, an unknown
    dataset or column, a format the column's kind does not allow, a ratio total over unknown or
    non-numeric columns, an unknown parameter or unit are refused, each naming its field."""
    if not isinstance(spec, dict):
        return [SpecError("spec", "报表定义必须是一个 JSON 对象")]
    errors: list[SpecError] = []
    for key in sorted(set(spec) - SPEC_KEYS):
        errors.append(SpecError(key, f"未知的定义项“{key[:40]}”"))
    if not _is_text(spec.get("title"), MAX_TITLE):
        errors.append(SpecError("title", f"标题必填，最多 {MAX_TITLE} 字"))
    name = spec.get("dataset")
    shape = datasets.get(name) if isinstance(name, str) else None
    if shape is None:
        errors.append(SpecError("dataset", f"未知的数据集“{str(name)[:40]}”，可选：{'、'.join(datasets)}"))
    params = spec.get("params", [])
    if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
        errors.append(SpecError("params", "参数必须是参数名的列表"))
        params = []
    for p in params:
        if p not in PARAMS:
            errors.append(SpecError("params", f"未知的参数“{p[:20]}”，可选：{'、'.join(PARAMS)}"))
    if shape is not None:
        for p in shape.params:
            if p not in params:
                errors.append(SpecError("params", f"数据集“{shape.label}”需要参数“{PARAMS[p]}”"))
    if spec.get("unit", "元") not in UNITS:
        errors.append(SpecError("unit", "单位只能是“元”或“万元”"))
    for flag in ("totals", "numbered"):
        if not isinstance(spec.get(flag, False), bool):
            errors.append(SpecError(flag, "只能是 true 或 false"))
    if not _is_text(spec.get("footer", ""), MAX_FOOTER, blank=True):
        errors.append(SpecError("footer", f"表尾说明最多 {MAX_FOOTER} 字"))
    columns = spec.get("columns")
    if not isinstance(columns, list) or not 1 <= len(columns) <= MAX_COLUMNS:
        errors.append(SpecError("columns", f"列必须是 1–{MAX_COLUMNS} 个列定义的列表"))
        columns = []
    kinds = dict(shape.columns) if shape is not None else {}
    for i, col in enumerate(columns):
        errors.extend(_column_errors(i, col, kinds, shape is not None))
    group = spec.get("group_by", "")
    if group and (not isinstance(group, str) or (shape is not None and kinds.get(group) != "text")):
        errors.append(SpecError("group_by", f"分组列“{str(group)[:40]}”必须是数据集中的文本列"))
    return errors


def _column_errors(i: int, col, kinds: Mapping[str, str], known: bool) -> list[SpecError]:
    where = f"columns[{i + 1}]"
    if not isinstance(col, dict):
        return [SpecError(where, f"第 {i + 1} 列必须是 JSON 对象")]
    errors = [SpecError(f"{where}.{k[:20]}", f"第 {i + 1} 列：未知的列定义项“{k[:20]}”") for k in sorted(set(col) - COLUMN_KEYS)]
    fmt, field = col.get("format", "text"), col.get("field", "")
    if fmt not in FORMATS:
        errors.append(SpecError(f"{where}.format", f"第 {i + 1} 列：未知的格式“{str(fmt)[:20]}”，可选：{'、'.join(FORMATS)}"))
    if not _is_text(col.get("header"), MAX_HEADER):
        errors.append(SpecError(f"{where}.header", f"第 {i + 1} 列：表头必填，最多 {MAX_HEADER} 字"))
    if fmt == "blank":
        if field:
            errors.append(SpecError(f"{where}.field", f"第 {i + 1} 列：空白列不取数据，字段须留空"))
        return errors
    if not isinstance(field, str) or (known and field not in kinds):
        errors.append(SpecError(f"{where}.field", f"第 {i + 1} 列：数据集中没有字段“{str(field)[:40]}”"))
    elif known and fmt in FORMATS and fmt not in FORMAT_FOR_KIND[kinds[field]]:
        errors.append(SpecError(f"{where}.format", f"第 {i + 1} 列：字段“{field}”不能用“{FORMATS[fmt]}”格式"))
    if col.get("total", "") not in ("", "sum", "none"):
        errors.append(SpecError(f"{where}.total", f"第 {i + 1} 列：合计方式只能是 sum 或 none"))
    ratio_of = col.get("ratio_of")
    if ratio_of is not None:
        if (not isinstance(ratio_of, list) or len(ratio_of) != 2
                or any(not isinstance(f, str) or (known and kinds.get(f) not in ("int", "money")) for f in ratio_of)):
            errors.append(SpecError(f"{where}.ratio_of", f"第 {i + 1} 列：比率合计须是两个数值字段 [分子, 分母]"))
        elif fmt != "ratio":
            errors.append(SpecError(f"{where}.ratio_of", f"第 {i + 1} 列：只有比率列可以按分子分母合计"))
    return errors


def needed_fields(spec: Mapping) -> set[str]:
    """The dataset fields a definition reads (columns, ratio parts, the grouping)."""
    fields = {c["field"] for c in spec["columns"] if c.get("field")}
    fields |= {f for c in spec["columns"] for f in c.get("ratio_of") or ()}
    return fields | ({spec["group_by"]} if spec.get("group_by") else set())


# ------------------------------------------------------------------------------ parameters

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")


def month_bounds(text: str) -> tuple[dt.date, dt.date] | None:
    """"2026-05" → (2026-05-01, 2026-05-31); None when not a month within 2000–2100."""
    m = _MONTH.match(text.strip()) if isinstance(text, str) and len(text) <= 10 else None
    if not m or not 1 <= int(m[2]) <= 12 or not EARLIEST.year <= int(m[1]) <= LATEST.year:
        return None
    start = dt.date(int(m[1]), int(m[2]), 1)
    return start, next_month(start) - dt.timedelta(days=1)


def quarter_bounds(text: str) -> tuple[dt.date, dt.date] | None:
    """"2026Q2" or "2026-Q2" → (2026-04-01, 2026-06-30); None when not a quarter within 2000–2100."""
    m = _QUARTER.match(text.strip()) if isinstance(text, str) and len(text) <= 10 else None
    if not m or not EARLIEST.year <= int(m[1]) <= LATEST.year:
        return None
    start = dt.date(int(m[1]), 3 * int(m[2]) - 2, 1)
    return start, add_months(start, 3) - dt.timedelta(days=1)


def parse_day(text: str) -> dt.date | None:
    """An ISO date within 2000–2100, else None."""
    try:
        day = dt.date.fromisoformat(text.strip()) if isinstance(text, str) and len(text) <= 10 else None
    except ValueError:
        return None
    return day if day and EARLIEST <= day <= LATEST else None


def next_month(day: dt.date) -> dt.date:
    return add_months(day.replace(day=1), 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after `day`'s month (day must be the 1st for exactness)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    return next_month(day) - dt.timedelta(days=1)


# ------------------------------------------------------------------------------ arithmetic


def fen_to_wan(fen: int) -> Decimal:
    """Fen → 万元, exact Decimal division, rounded half-up to two places (the county's 万元 columns)."""
    return (Decimal(fen) / FEN_PER_WAN).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def fen_to_yuan_decimal(fen: int) -> Decimal:
    return Decimal(fen) / 100  # exact: dividing an integer by 100 never rounds in Decimal's 28 digits


def ratio(numerator: int, denominator: int) -> Decimal | None:
    """numerator ÷ denominator as a Decimal with 4 places, half-up; None (no figure) when the
    denominator is 0 (DOMAIN §9, as the indicators)."""
    if not denominator:
        return None
    f = Fraction(numerator, denominator)
    return (Decimal(f.numerator) / Decimal(f.denominator)).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


# ------------------------------------------------------------------------------ layout


@dataclass(frozen=True)
class OutRow:
    kind: str  # "data" | "subtotal" | "total"
    cells: tuple  # one value per column: int (fen for money), Decimal, date, str or None
    label: str = ""


def _summable(col: Mapping, kinds: Mapping[str, str]) -> bool:
    fmt = col.get("format", "text")
    return col.get("total", "sum") != "none" and fmt in ("money", "int") and kinds.get(col.get("field", "")) in ("money", "int")


def _sum_cells(spec: Mapping, kinds: Mapping[str, str], rows: list[Mapping], label_col: int) -> list:
    cells: list = []
    for col in spec["columns"]:
        field = col.get("field", "")
        if col.get("ratio_of"):
            num, den = col["ratio_of"]
            cells.append(ratio(sum(r.get(num) or 0 for r in rows), sum(r.get(den) or 0 for r in rows)))
        elif _summable(col, kinds):
            cells.append(sum(r.get(field) or 0 for r in rows))
        else:
            cells.append(None)
    return cells


def _label_index(spec: Mapping) -> int:
    """The column a subtotal/total row's label goes in: the first text column."""
    return next((i for i, c in enumerate(spec["columns"]) if c.get("format", "text") == "text"), 0)


def _with_label(cells: list, index: int, label: str) -> tuple:
    cells = list(cells)
    if cells and cells[index] is None:
        cells[index] = label
    return tuple(cells)


def layout(spec: Mapping, kinds: Mapping[str, str], rows: Iterable[Mapping], total: Mapping | None = None) -> list[OutRow]:
    """The report's body: data rows in dataset order (grouped by `group_by`, keeping first-seen
    group order, each group followed by its 小计), then the 合计 row when `totals`. `total`: the
    dataset's own total row (e.g. the region's indicators, so the report equals the API), used
    as is instead of summing; a column it lacks is summed."""
    columns = spec["columns"]
    group = spec.get("group_by") or ""
    label_at = _label_index(spec)
    rows = list(rows)
    out: list[OutRow] = []

    def data(row: Mapping) -> OutRow:
        return OutRow("data", tuple(None if c.get("format") == "blank" else row.get(c.get("field", "")) for c in columns))

    if group:
        groups: dict[str, list[Mapping]] = {}
        for row in rows:
            groups.setdefault(str(row.get(group) or ""), []).append(row)
        for name, members in groups.items():
            out.extend(data(r) for r in members)
            label = f"{name}小计" if name else "小计"
            out.append(OutRow("subtotal", _with_label(_sum_cells(spec, kinds, members, label_at), label_at, label), label))
    else:
        out.extend(data(r) for r in rows)
    if spec.get("totals", True):
        cells = _sum_cells(spec, kinds, rows, label_at)
        if total is not None:
            cells = [total[c["field"]] if c.get("field") in total and (c.get("ratio_of") or _summable(c, kinds)) else v
                     for c, v in zip(columns, cells)]
        out.append(OutRow("total", _with_label(cells, label_at, "合计"), "合计"))
    return out
