"""Repayments posted in batch: a bank's file of payments (CSV / Excel / ODS), all or nothing.

Columns: 借据号, 还款日期, 还款金额(元) (or 还款金额(万元)), 流水号; the header is the first row
that has them all (a title above it is skipped). Cells are read by the shared parsers of
`microcredit.domain.cells`, so the formats real bank exports use are accepted (date-time cells,
Excel serial dates, 2026/12/5, 2026年12月5日, 20261205, 1,234.50, full-width digits) and what
is ambiguous is refused (1E+1, 2026-W50-2, more than two decimals).

Every row is checked first — the loan exists and is visible to the importer (scope and bank),
the date exists and is not after the business date, the amount is positive, fits the column
and has at most two decimals, the 流水号 is given, at most 64 characters and not repeated in the
file; any error → nothing is written and every error names row, column, value and rule. Then
each row is posted through `repayment_post` in one transaction, with the idempotency key
"batch:<bank>:<流水号>": re-importing the same file posts nothing again, and a 流水号 already
used for a different payment is refused (DOMAIN §5.3, ARCHITECTURE §4).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import islice

from django.db import transaction

from microcredit.apps.audit.services import record_audit

from microcredit.apps.core.clock import business_date
from microcredit.apps.core.tables import MB, TableError, TableLimits, canonical_header, iter_cells
from microcredit.apps.loans.models import Loan, LoanEvent
from microcredit.apps.loans.selectors import loans_visible
from microcredit.apps.loans.servicing import repayment_post
from microcredit.domain.cells import CellError, cell_text, parse_amount, parse_date, parse_text
from microcredit.domain.errors import DomainError

COLUMNS = ("借据号", "还款日期", "还款金额(元)", "流水号")
AMOUNT_IN_WAN = "还款金额(万元)"  # the same column in 万元, as some core systems export it
HEADER_SEARCH_ROWS = 10  # a title or a blank line may sit above the header
MAX_ERRORS = 500  # listed; the file is still checked whole and the rest counted
LIMITS = TableLimits(max_bytes=20 * MB, max_rows=100_000, max_columns=50, max_cells=2_000_000,
                     max_memory_bytes=1536 * MB, timeout_seconds=60)
NUMBER_LENGTH = Loan._meta.get_field("number").max_length
REFERENCE_LENGTH = LoanEvent._meta.get_field("reference").max_length


class RepaymentImportError(Exception):
    """The file was refused; `errors` lists the broken rules (Chinese, with row and column)."""

    def __init__(self, errors: list[str], total: int | None = None):
        super().__init__("；".join(errors[:5]))
        self.total = total if total is not None else len(errors)
        self.errors = errors if self.total <= len(errors) else [
            *errors, f"……另有 {self.total - len(errors)} 处错误未列出"]


@dataclass
class RepaymentRow:
    line: int
    loan_id: int
    on: dt.date
    amount: int
    reference: str


@dataclass
class RepaymentImportResult:
    posted: int = 0
    already_posted: int = 0
    event_ids: list[int] = field(default_factory=list)


@dataclass
class _Header:
    line: int
    index: dict[str, int]  # canonical column → position
    amount_unit: str


def _find_header(table: list[list]) -> _Header:
    amount_columns = {COLUMNS[2]: "元", AMOUNT_IN_WAN: "万元"}
    for line, row in enumerate(table, start=1):
        header = [canonical_header(cell_text(c)) for c in row]
        amount = next((c for c in amount_columns if c in header), None)
        if amount and all(c in header for c in COLUMNS if c != COLUMNS[2]):
            index = {c: header.index(c) for c in COLUMNS if c != COLUMNS[2]} | {COLUMNS[2]: header.index(amount)}
            return _Header(line, index, amount_columns[amount])
    first = [canonical_header(cell_text(c)) for c in table[0]] if table else []
    missing = [c for c in COLUMNS if c not in first and not (c == COLUMNS[2] and AMOUNT_IN_WAN in first)]
    raise RepaymentImportError([f"第1行：缺少列 {'、'.join(missing)}（表头须在前 {HEADER_SEARCH_ROWS} 行内）"])


def _error(line: int, exc: CellError, column: str) -> str:
    shown = cell_text(exc.value).replace("\x00", "\\0")
    shown = shown if len(shown) <= 40 else shown[:40] + "…"
    return f"第{line}行 列{column}：“{shown}” {exc.message}" if shown else f"第{line}行 列{column}：{exc.message}"


def _parse_row(line: int, row: list, header: _Header, today: dt.date) -> tuple[dict, list[str]]:
    """The row's four cells parsed (shape only; loans and duplicates are checked by the caller)."""
    amount_column = COLUMNS[2] if header.amount_unit == "元" else AMOUNT_IN_WAN
    parsers = {
        "借据号": lambda v: parse_text(v, field="借据号", max_length=NUMBER_LENGTH),
        "还款日期": lambda v: parse_date(v, field="还款日期"),
        "还款金额(元)": lambda v: parse_amount(v, field=amount_column, unit=header.amount_unit),
        "流水号": lambda v: parse_text(v, field="流水号", max_length=REFERENCE_LENGTH),
    }
    values, errors = {}, []
    for column, parse in parsers.items():
        position = header.index[column]
        cell = row[position] if position < len(row) else ""
        try:
            values[column] = parse(cell)
        except CellError as exc:
            errors.append(_error(line, exc, amount_column if column == COLUMNS[2] else column))
    if "还款日期" in values and values["还款日期"] > today:
        errors.append(f"第{line}行 列还款日期：“{values['还款日期']}” 不能晚于业务日期 {today}")
    if values.get("还款金额(元)") == 0:
        errors.append(f"第{line}行 列{amount_column}：“0” 必须大于 0")
    return values, errors


def _visible_loans(user, numbers: set[str]) -> dict[str, int]:
    found, pending = {}, iter(sorted(numbers))
    while chunk := list(islice(pending, 900)):  # below SQLite's historical 999 parameters
        found |= dict(loans_visible(user=user).filter(number__in=chunk).values_list("number", "id"))
    return found


def parse_repayments(*, filename: str, data: bytes, user) -> list[RepaymentRow]:
    """Every row checked; raises RepaymentImportError listing the errors (first MAX_ERRORS)."""
    try:
        table = list(iter_cells(filename, data, LIMITS))
    except TableError as exc:
        raise RepaymentImportError([exc.message if exc.row else f"文件：{exc.message}"]) from None
    if not any(any(cell_text(c).strip() for c in row) for row in table):
        raise RepaymentImportError(["第1行：文件为空"])
    header = _find_header(table[:HEADER_SEARCH_ROWS])
    body = [(n, row) for n, row in enumerate(table[header.line:], start=header.line + 1)
            if any(cell_text(c).strip() for c in row)]
    errors, parsed = [], []
    today = business_date()
    for line, row in body:
        values, row_errors = _parse_row(line, row, header, today)
        errors += row_errors
        parsed.append((line, values))
    loans = _visible_loans(user, {v["借据号"] for _, v in parsed if "借据号" in v})
    rows, seen = [], {}
    for line, values in parsed:
        number, reference = values.get("借据号"), values.get("流水号")
        if number is not None and number not in loans:
            errors.append(f"第{line}行 列借据号：“{number}” 贷款不存在或不在您的管辖范围内")
        if reference is not None:
            if reference in seen:
                errors.append(f"第{line}行 列流水号：“{reference}” 与第{seen[reference]}行重复")
            seen.setdefault(reference, line)
        if len(values) == len(COLUMNS) and number in loans:
            rows.append(RepaymentRow(line, loans[number], values["还款日期"], values["还款金额(元)"], reference))
    if errors:
        errors.sort(key=lambda e: int(e[1:e.index("行")]))
        raise RepaymentImportError(errors[:MAX_ERRORS], total=len(errors))
    return rows


@transaction.atomic
def repayments_import(*, rows: list[RepaymentRow], actor) -> RepaymentImportResult:
    """Post every row (oldest date first, file order within a day); all or nothing."""
    result = RepaymentImportResult()
    bank = getattr(actor, "bank_id", None) or "all"
    for row in sorted(rows, key=lambda r: (r.on, r.line)):
        try:
            event, created = repayment_post(
                loan=row.loan_id, amount=row.amount, on=row.on, actor=actor, reference=row.reference,
                idempotency_key=f"batch:{bank}:{row.reference}", channel="batch")
        except DomainError as exc:  # ServicingError, or ConflictError for a 流水号 used for another payment
            raise RepaymentImportError([f"第{row.line}行 列{_column(exc.field)}：{exc.message}"]) from None
        result.posted += created
        result.already_posted += not created
        result.event_ids.append(event.pk)
    record_audit(actor=actor, action="repayment.batch", object_type="loans.repayment_batch", object_id="",
                 object_repr=f"批量还款 {len(rows)} 行", after={"rows": len(rows), "posted": result.posted,
                                                              "already_posted": result.already_posted},
                 note="每笔还款另有一条记录")
    return result


def _column(field_name: str) -> str:
    return {"amount": "还款金额(元)", "on": "还款日期", "idempotency_key": "流水号"}.get(field_name, "借据号")
