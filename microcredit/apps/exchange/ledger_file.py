"""Reading a bank's ledger file (CSV / Excel / ODS) into checked rows — nothing is written here.

The file is read by the bounded reader (`core.tables.iter_cells`: size, zip bombs, a capped child
process, UTF-8-SIG then GB18030 for CSV), the header found by `domain.ledger.find_header` (a
bank's saved template first, then the usual spellings), and every row parsed by
`domain.ledger.parse_row` with the shared cell parsers. Rows are refused when a cell breaks a rule,
when the contract number repeats in the file, or when the 贷款银行 is not the bank importing (or,
for a province's file of many banks, names no bank). `ParsedLedger.errors` lists every error
(row, column, value, rule, message); an import writes nothing unless it is empty.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from microcredit.apps.core.tables import MB, TableError, TableLimits, iter_cells
from microcredit.domain.cells import cell_text, normalise_header
from microcredit.domain.ledger import (
    HEADER_SEARCH_ROWS, LOANS, REPAYMENTS, HeaderMatch, Layout, LedgerHeaderError, RowError, find_header, is_skipped,
    parse_block, row_digest,
)

LIMITS = TableLimits(max_bytes=200 * MB, max_rows=1_000_000, max_columns=120, max_cells=60_000_000,
                     max_unzipped_bytes=1500 * MB, max_zip_ratio=400, max_memory_bytes=6 * 1024 * MB,
                     timeout_seconds=600)
"""A province's monthly ledger: 400,000+ rows of about 30 columns (DOMAIN §10) fit with room."""
UPLOAD_LIMITS = TableLimits(max_bytes=100 * MB, max_rows=600_000, max_columns=120, max_cells=40_000_000,
                            max_unzipped_bytes=1000 * MB, max_zip_ratio=400, max_memory_bytes=4 * 1024 * MB,
                            timeout_seconds=600)
"""Through the page or the API (the command line takes `LIMITS`)."""
MAX_ERRORS = 1000  # kept in the report; every error is still counted


@dataclass
class ParsedLedger:
    """A file's rows, checked: ``rows`` are (line, bank id, values (`Values`), digest)."""

    header: HeaderMatch | None = None
    layout: Layout = LOANS
    rows: list[tuple[int, int, dict, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    rejected_lines: set[int] = field(default_factory=set)
    read: int = 0
    digest: str = ""

    def refuse(self, error: RowError) -> None:
        self.error_count += 1
        self.rejected_lines.add(error.row)
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)

    @property
    def ok(self) -> bool:
        return self.error_count == 0


class BankResolver:
    """贷款银行 cell → bank id: by code, full name or short name (loosely compared)."""

    def __init__(self, banks: list[tuple[int, str, str, str]], importing: int | None) -> None:
        self.importing = importing
        self.by_name = {}
        for pk, code, name, short in banks:
            for text in (code, name, short):
                if text:
                    self.by_name[normalise_header(text)[0].upper()] = pk
        self.seen: dict[str, int | None] = {}  # a file names its few banks 400,000 times

    def __call__(self, text: str | None) -> int | None:
        if not text:
            return self.importing
        if text not in self.seen:
            self.seen[text] = self.by_name.get(normalise_header(text)[0].upper())
        return self.seen[text]


def _file_error(message: str) -> RowError:
    return RowError(1, "文件", "", "file", message)


def _header(head: list, template: dict | None, kind: str) -> tuple[HeaderMatch, Layout]:
    """The header of a loan ledger, or (``kind`` "auto" or "repayments") of a file of repayments."""
    layouts = {"loans": (LOANS,), "repayments": (REPAYMENTS,), "auto": (LOANS, REPAYMENTS)}[kind]
    first_error = None
    for layout in layouts:
        try:
            return find_header(head, template, layout), layout
        except LedgerHeaderError as exc:
            first_error = first_error or exc
    raise first_error


def parse_ledger(*, filename: str, data: bytes, banks: BankResolver, as_of: dt.date,
                 template: dict[str, str] | None = None, limits: TableLimits = LIMITS, kind: str = "auto",
                 report: Callable[[int, int, str], None] | None = None) -> ParsedLedger:
    """Every row of the file checked (see the module docstring); never raises for bad content."""
    parsed = ParsedLedger(digest=hashlib.sha256(data).hexdigest())
    try:
        table = iter_cells(filename, data, limits)
        head = []
        for row in table:
            head.append(row)
            if len(head) >= HEADER_SEARCH_ROWS:
                break
        parsed.header, parsed.layout = _header(head, template, kind)
        parse_rows(parsed, head[parsed.header.last_line:], table, banks, as_of, report)
    except TableError as exc:
        parsed.refuse(RowError(exc.row or 1, "文件", "", "file", exc.message))
    except LedgerHeaderError as exc:
        parsed.refuse(_file_error(exc.message))
    return parsed


BLOCK = 20_000  # rows parsed together (columns at a time), then their raw cells are let go


def parse_rows(parsed: ParsedLedger, rest_of_head: list, table, banks: BankResolver, as_of: dt.date,
               report=None) -> None:
    """The data rows after the header (``parsed.header`` and ``parsed.layout`` set), into ``parsed``,
    a block at a time (`domain.ledger.parse_block`)."""
    header, layout = parsed.header, parsed.layout
    keys = tuple(f.key for f in layout.fields)
    seen: dict[tuple, int] = {}
    cache: dict = {}
    block, lines = [], []
    line = header.last_line
    for row in itertools.chain(rest_of_head, table):
        line += 1
        if is_skipped(row):
            continue
        block.append(row)
        lines.append(line)
        if len(block) >= BLOCK:
            _block(parsed, block, lines, keys, seen, cache, banks, as_of)
            block, lines = [], []
            if report:
                report(parsed.read, 0, "校验中")
    if block:
        _block(parsed, block, lines, keys, seen, cache, banks, as_of)


def _block(parsed: ParsedLedger, block: list, lines: list[int], keys: tuple, seen: dict, cache: dict,
           banks: BankResolver, as_of: dt.date) -> None:
    header, layout = parsed.header, parsed.layout
    values, errors = parse_block(block, lines, header, as_of, cache, layout)
    parsed.read += len(block)
    bank_title = header.titles.get("lending_bank", "贷款银行")
    loans = layout is LOANS
    number_title = header.titles["contract_number" if loans else "reference"]
    for n, row_values in enumerate(values):
        line, row_errors = lines[n], errors.get(n, [])
        named = row_values.get("lending_bank")
        bank = banks(named)
        if bank is None:
            row_errors.append(RowError(line, bank_title, cell_text(named), "unknown_bank",
                                       "没有这家银行（请填银行代码、全称或简称）" if banks.importing is None
                                       else "不是本次导入的银行"))
        elif banks.importing is not None and bank != banks.importing:
            row_errors.append(RowError(line, bank_title, cell_text(named), "other_bank",
                                       "不是本次导入的银行（一个文件只能导入一家银行的台账，或不指定银行按本列导入）"))
        key = (bank, row_values.get("contract_number"), row_values.get("reference"))
        if key[1] and bank is not None and (loans or key[2]):
            first = seen.setdefault(key, line)
            if first != line:
                row_errors.append(RowError(line, number_title, key[1] if loans else key[2], "duplicate_in_file",
                                           f"与第 {first} 行{'合同编号' if loans else '合同编号和流水号'}重复"))
        for error in row_errors:
            parsed.refuse(error)
        if not row_errors:
            parsed.rows.append((line, bank, row_values, row_digest(row_values, keys)))
