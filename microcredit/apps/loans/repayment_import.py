"""Repayments posted in batch: a bank's file of payments (CSV / Excel), all or nothing.

Columns: 借据号, 还款日期 (YYYY-MM-DD), 还款金额(元), 流水号. Every row is checked first — the
loan exists and is visible to the importer (scope and bank), the date exists and is not after
the business date, the amount is positive with at most two decimals, the 流水号 is given and
not repeated in the file; any error → nothing is written and every error names row, column
and rule. Then each row is posted through `repayment_post` in one transaction, with the
idempotency key "batch:<bank>:<流水号>": re-importing the same file posts nothing again, and a
流水号 already used for a different payment is refused (DOMAIN §5.3, ARCHITECTURE §4).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from microcredit.apps.core.clock import business_date
from microcredit.apps.core.tables import canonical_header, read_table
from microcredit.apps.loans.selectors import loans_visible
from microcredit.apps.loans.servicing import ServicingError, repayment_post
from microcredit.domain.money import yuan_to_fen

COLUMNS = ("借据号", "还款日期", "还款金额(元)", "流水号")


class RepaymentImportError(Exception):
    """The file was refused; `errors` lists every broken rule (Chinese, with row and column)."""

    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors[:5]))
        self.errors = errors


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


def _check_row(line: int, cells: dict[str, str], loans: dict[str, int], today: dt.date,
               seen: set[str]) -> tuple[RepaymentRow | None, list[str]]:
    errors = []
    number, reference = cells["借据号"], cells["流水号"]
    if number not in loans:
        errors.append(f"第{line}行 列借据号：贷款{number or '（空）'}不存在或不在您的管辖范围内")
    try:
        on = dt.date.fromisoformat(cells["还款日期"])
        if on > today:
            errors.append(f"第{line}行 列还款日期：不能晚于业务日期 {today}")
    except ValueError:
        on = None
        errors.append(f"第{line}行 列还款日期：“{cells['还款日期']}”不是有效日期（格式 YYYY-MM-DD）")
    try:
        amount = yuan_to_fen(cells["还款金额(元)"])
        if amount <= 0:
            errors.append(f"第{line}行 列还款金额(元)：必须大于 0")
    except ValueError:
        amount = 0
        errors.append(f"第{line}行 列还款金额(元)：“{cells['还款金额(元)']}”不是最多两位小数的金额")
    if not reference:
        errors.append(f"第{line}行 列流水号：必须填写（用于防止重复入账）")
    elif reference in seen:
        errors.append(f"第{line}行 列流水号：{reference} 在文件中重复")
    seen.add(reference)
    if errors:
        return None, errors
    return RepaymentRow(line, loans[number], on, amount, reference), []


def parse_repayments(*, filename: str, data: bytes, user) -> list[RepaymentRow]:
    """Every row checked; raises RepaymentImportError listing all errors."""
    try:
        table = read_table(filename, data)
    except Exception as exc:  # corrupt workbook, undecodable text
        raise RepaymentImportError([f"第1行：无法读取文件（{exc}）"]) from None
    if not table:
        raise RepaymentImportError(["第1行：文件为空"])
    header = [canonical_header(h) for h in table[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RepaymentImportError([f"第1行：缺少列 {'、'.join(missing)}"])
    index = {c: header.index(c) for c in COLUMNS}
    body = [(n, row) for n, row in enumerate(table[1:], start=2) if any(c.strip() for c in row)]
    numbers = {row[index["借据号"]].strip() for _, row in body if len(row) > index["借据号"]}
    loans = dict(loans_visible(user).filter(number__in=numbers).values_list("number", "id"))
    rows, errors, seen, today = [], [], set(), business_date()
    for line, row in body:
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in index.items()}
        parsed, row_errors = _check_row(line, cells, loans, today, seen)
        errors += row_errors
        if parsed:
            rows.append(parsed)
    if errors:
        raise RepaymentImportError(errors)
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
        except ServicingError as exc:
            raise RepaymentImportError([f"第{row.line}行 列{_column(exc.field)}：{exc.message}"]) from None
        result.posted += created
        result.already_posted += not created
        result.event_ids.append(event.pk)
    return result


def _column(field_name: str) -> str:
    return {"amount": "还款金额(元)", "on": "还款日期", "idempotency_key": "流水号"}.get(field_name, "借据号")
