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
from collections.abc import Callable
from dataclasses import dataclass, field

from microcredit.apps.core.tables import MB, TableError, TableLimits, iter_cells
from microcredit.domain.cells import cell_text, normalise_header
from microcredit.domain.ledger import (
    HEADER_SEARCH_ROWS, LOANS, REPAYMENTS, HeaderMatch, Layout, LedgerHeaderError, RowError, find_header, is_skipped,
    parse_row, row_digest,
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


class Values(tuple):
    """A row's parsed values, read by field key, stored as a tuple (a dict per row of a province's file
    would cost three times the memory). Subclassed per layout by `values_type`."""

    __slots__ = ()
    INDEX: dict[str, int] = {}

    def __getitem__(self, key):
        return tuple.__getitem__(self, self.INDEX[key] if isinstance(key, str) else key)

    def get(self, key: str, default=None):
        index = self.INDEX.get(key)
        return default if index is None else tuple.__getitem__(self, index)


_VALUES: dict[str, type] = {}


def values_type(layout: Layout) -> type:
    """The `Values` class of a layout (its field keys in order)."""
    if layout.name not in _VALUES:
        index = {f.key: n for n, f in enumerate(layout.fields)}
        _VALUES[layout.name] = type(f"{layout.name.title()}Values", (Values,), {"__slots__": (), "INDEX": index})
    return _VALUES[layout.name]


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

    def __call__(self, text: str | None) -> int | None:
        if not text:
            return self.importing
        return self.by_name.get(normalise_header(text)[0].upper())


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


def parse_rows(parsed: ParsedLedger, rest_of_head: list, table, banks: BankResolver, as_of: dt.date,
               report=None) -> None:
    """The data rows after the header (``parsed.header`` and ``parsed.layout`` set), into ``parsed``."""
    header, layout = parsed.header, parsed.layout
    keys = tuple(f.key for f in layout.fields)
    make = values_type(layout)
    line = header.last_line
    seen: dict[tuple, int] = {}
    cache: dict = {}
    bank_title = header.titles.get("lending_bank", "贷款银行")

    def rows():
        yield from rest_of_head
        yield from table

    for row in rows():
        line += 1
        if is_skipped(row):
            continue
        parsed.read += 1
        values, errors = parse_row(row, header, line, as_of, cache, layout)
        bank = banks(values.get("lending_bank"))
        if bank is None:
            errors.append(RowError(line, bank_title, cell_text(values.get("lending_bank")), "unknown_bank",
                                   "没有这家银行（请填银行代码、全称或简称）" if banks.importing is None
                                   else "不是本次导入的银行"))
        elif banks.importing is not None and bank != banks.importing:
            errors.append(RowError(line, bank_title, cell_text(values.get("lending_bank")), "other_bank",
                                   "不是本次导入的银行（一个文件只能导入一家银行的台账，或不指定银行按本列导入）"))
        key = (bank, values.get("contract_number"), values.get("reference"))
        if key[1] and bank is not None and (layout is LOANS or key[2]):
            first = seen.setdefault(key, line)
            if first != line:
                column = header.titles["contract_number" if layout is LOANS else "reference"]
                errors.append(RowError(line, column, key[1] if layout is LOANS else key[2], "duplicate_in_file",
                                       f"与第 {first} 行{'合同编号' if layout is LOANS else '合同编号和流水号'}重复"))
        for error in errors:
            parsed.refuse(error)
        if not errors:
            parsed.rows.append((line, bank, make(values[k] for k in keys), row_digest(values, keys)))
        if report and parsed.read % 20_000 == 0:
            report(parsed.read, 0, "校验中")
