"""Reading uploaded tables (CSV, Excel, ODS) as rows of cells, for every import — bounded.

An upload is hostile until read: a 1.5 KB .xlsx with cells at A1 and XFD1048576 makes the
Excel parser ask for 512 GiB and abort the process. So, in order, and each refusal a
:class:`TableError` with a Chinese message:

1. `check_upload`: size, and type by name *and* content (an .exe renamed .xlsx is refused);
2. for zip formats (xlsx, xlsm, xlsb, ods): the archive is whole, its declared unzipped size
   and compression ratios are sane (zip bombs), and an .xlsx's declared ``<dimension>`` fits
   the row and column caps — all read from the zip directory and the sheet's first bytes;
3. the sheet is parsed by python-calamine in a child process with capped memory and CPU time
   (`sheet_reader_child`), which checks rows, columns and cells before converting any row and
   streams rows back; an abort there is a refusal here, never a dead web worker or job runner;
4. CSV is decoded as UTF-8 (BOM tolerated), then GB18030 (Chinese banks' exports), and read
   row by row under the same caps.

Cells come back as python-calamine gives them (str, int, float, bool, date, datetime, time)
for `iter_cells`/`read_cells`, or as text for `read_table`; parse them with
`microcredit.domain.cells`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import pickle
import re
import struct
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path, PurePath

from microcredit.domain.cells import cell_text
from microcredit.domain.errors import DomainError

MB = 1024 * 1024
ZIP_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".ods")
EXCEL_SUFFIXES = ZIP_SUFFIXES + (".xls",)
CSV_SUFFIXES = (".csv", ".txt")
ACCEPTED_HINT = "只接受 CSV、Excel（.xlsx、.xls）或 ODS 文件"
CHILD = Path(__file__).with_name("sheet_reader_child.py")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (BIFF inside an OLE compound file)
_BINARY_MAGICS = (b"MZ", b"\x7fELF", _ZIP_MAGIC, _OLE_MAGIC, b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"Rar!", b"7z\xbc\xaf")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?\"")
_FIRST_SHEET_ID = re.compile(rb"<(?:\w+:)?sheet\s[^>]*?\br?:?id=\"([^\"]+)\"")


@dataclass(frozen=True)
class TableLimits:
    """How much of an upload an import is willing to read (each import passes its own)."""

    max_bytes: int = 20 * MB  # the file as uploaded
    max_rows: int = 500_000  # a province-scale ledger (DOMAIN §10)
    max_columns: int = 200
    max_cells: int = 20_000_000  # rows × columns of the sheet's used range
    max_cell_chars: int = 1_000
    max_unzipped_bytes: int = 400 * MB  # all entries of a zip format, as declared
    max_zip_ratio: int = 200  # unzipped / zipped, for entries over 1 MB
    max_memory_bytes: int = 3 * 1024 * MB  # address space of the parsing child process
    timeout_seconds: int = 120


DEFAULT_LIMITS = TableLimits()


class TableError(DomainError):
    """The upload cannot be read within the limits; ``row``/``column`` are 1-based when known."""

    def __init__(self, message: str, *, row: int | None = None, column: int | None = None) -> None:
        super().__init__("文件", message)
        self.row, self.column = row, column


def suffix_of(filename: str) -> str:
    return PurePath(filename or "").suffix.lower()


def check_upload(filename: str, size: int, head: bytes, limits: TableLimits = DEFAULT_LIMITS) -> None:
    """Refuse a file by size, name and first bytes (before storing or parsing it).

    Raises:
        TableError: too large, an unaccepted extension, or content that is not what the name says.
    """
    if size > limits.max_bytes:
        raise TableError(f"文件过大（{size / MB:.1f} MB，最多 {limits.max_bytes // MB} MB）")
    if size == 0:
        raise TableError("文件为空")
    suffix = suffix_of(filename)
    if suffix in ZIP_SUFFIXES and not head.startswith(_ZIP_MAGIC):
        raise TableError(f"文件内容不是 {suffix} 格式（可能是改了扩展名的其他文件）")
    if suffix == ".xls" and not head.startswith(_OLE_MAGIC):
        raise TableError("文件内容不是 .xls 格式（可能是改了扩展名的其他文件）")
    if suffix in CSV_SUFFIXES and head.startswith(_BINARY_MAGICS):
        raise TableError("文件内容不是 CSV 文本（可能是改了扩展名的其他文件）")
    if suffix not in EXCEL_SUFFIXES + CSV_SUFFIXES:
        raise TableError(ACCEPTED_HINT)


def check_uploaded(upload, limits: TableLimits = DEFAULT_LIMITS) -> None:
    """`check_upload` of an uploaded file (name, size, first bytes), its position left at the start.

    Raises:
        TableError: as `check_upload`.
    """
    head = upload.read(16)
    upload.seek(0)
    check_upload(getattr(upload, "name", "") or "", upload.size, head, limits)


def _first_sheet_path(book: zipfile.ZipFile) -> str | None:
    """The part name of an .xlsx's first worksheet (workbook order), or None if unclear."""
    try:
        workbook = book.read("xl/workbook.xml")
        rels = book.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return None
    found = _FIRST_SHEET_ID.search(workbook)
    if not found:
        return None
    rid = re.escape(found.group(1).decode("ascii", "replace"))
    target = re.search(rf"<Relationship\b[^>]*\bId=\"{rid}\"[^>]*\bTarget=\"([^\"]+)\"", rels) or re.search(
        rf"<Relationship\b[^>]*\bTarget=\"([^\"]+)\"[^>]*\bId=\"{rid}\"", rels)
    if not target:
        return None
    path = target.group(1)
    return path.lstrip("/") if path.startswith("/") else f"xl/{path}"


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _check_zip(data: bytes, suffix: str, limits: TableLimits) -> None:
    """A whole archive, no zip bomb, and (for .xlsx/.xlsm) a declared sheet size within the caps."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        entries = book.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise TableError("文件已损坏或不完整（无法按 Excel/ODS 格式打开）") from None
    if len(entries) > 10_000:
        raise TableError("文件结构异常（压缩包内文件过多）")
    if sum(e.file_size for e in entries) > limits.max_unzipped_bytes:
        raise TableError(f"文件解压后超过 {limits.max_unzipped_bytes // MB} MB，超过上限")
    for e in entries:
        if e.file_size > MB and e.file_size > limits.max_zip_ratio * max(e.compress_size, 1):
            raise TableError("文件压缩比异常（疑似压缩炸弹），已拒绝")
    if suffix not in (".xlsx", ".xlsm"):
        return
    sheet = _first_sheet_path(book)
    if sheet is None or sheet not in book.namelist():
        return  # calamine will report a broken workbook; the child process bounds the rest
    try:
        with book.open(sheet) as stream:
            head = stream.read(4096)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise TableError("文件已损坏或不完整（工作表无法解压）") from None
    declared = _DIMENSION.search(head)
    if declared:
        last_col, last_row = declared.group(3) or declared.group(1), declared.group(4) or declared.group(2)
        _check_extent(int(last_row), _column_number(last_col), limits)


def _check_extent(rows: int, columns: int, limits: TableLimits) -> None:
    if rows > limits.max_rows:
        raise TableError(f"文件行数超过上限（{rows} 行，最多 {limits.max_rows} 行）")
    if columns > limits.max_columns:
        raise TableError(f"文件列数超过上限（{columns} 列，最多 {limits.max_columns} 列）")
    if rows * columns > limits.max_cells:
        raise TableError(f"文件单元格数超过上限（{rows}×{columns}，最多 {limits.max_cells} 个）")


class _CellsOnly(pickle.Unpickler):
    """Frames from the child hold plain values; dates are the only classes allowed."""

    ALLOWED = {("datetime", name) for name in ("date", "datetime", "time", "timedelta")}

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name}")


def _read_frame(stream) -> tuple | None:
    size = stream.read(4)
    if len(size) < 4:
        return None
    blob = stream.read(struct.unpack(">I", size)[0])
    return _CellsOnly(io.BytesIO(blob)).load()


def _iter_spreadsheet(data: bytes, limits: TableLimits) -> Iterator[list]:
    """Rows streamed from the capped child process (see `sheet_reader_child`)."""
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            [sys.executable, "-I", str(CHILD), json.dumps(asdict(limits))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, env={"RUST_BACKTRACE": "0"})
        killer = threading.Timer(limits.timeout_seconds, child.kill)
        killer.start()
        ended = False
        try:
            try:
                child.stdin.write(data)
                child.stdin.close()
            except BrokenPipeError:
                pass  # the child died early; its exit status says why
            while (frame := _read_frame(child.stdout)) is not None:
                if frame[0] == "rows":
                    yield from frame[1]
                elif frame[0] == "error":
                    raise TableError(frame[1], row=frame[2], column=frame[3])
                else:
                    ended = True
                    break
        finally:
            killer.cancel()
            child.stdout.close()
            if child.poll() is None:
                child.kill()
            child.wait()
        if not ended:
            raise TableError("文件过大或结构异常，读取超出内存或时间上限（常见原因：表格中有远离数据区的空白格式或内容）")


def _decode_csv(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError("CSV 文件编码为 UTF-16，请另存为 UTF-8 或 GBK 编码的 CSV")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError("CSV 文件编码无法识别（请使用 UTF-8 或 GBK 编码）")


def _iter_csv(data: bytes, limits: TableLimits) -> Iterator[list]:
    text = _decode_csv(data)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise TableError(f"第 {line} 行含有空字符（NUL），文件可能已损坏或编码不对", row=line)
    reader = csv.reader(io.StringIO(text))
    try:
        for n, row in enumerate(reader, start=1):
            if n > limits.max_rows:
                raise TableError(f"文件行数超过上限（最多 {limits.max_rows} 行）")
            if len(row) > limits.max_columns:
                raise TableError(f"第 {n} 行列数超过上限（{len(row)} 列，最多 {limits.max_columns} 列）", row=n)
            for c, cell in enumerate(row, start=1):
                if len(cell) > limits.max_cell_chars:
                    raise TableError(f"第 {n} 行第 {c} 列内容过长（超过 {limits.max_cell_chars} 个字符）",
                                     row=n, column=c)
            yield row
    except csv.Error as exc:
        raise TableError(f"第 {reader.line_num} 行不是有效的 CSV（{exc}）", row=reader.line_num) from None


def iter_cells(filename: str, data: bytes, limits: TableLimits = DEFAULT_LIMITS) -> Iterator[list]:
    """Rows of the first sheet (Excel/ODS) or of a CSV, as raw cells, row 1 first.

    Spreadsheet rows start at A1 (leading empty rows and columns are kept, so list positions
    are sheet positions); empty cells are ``""``.

    Raises:
        TableError: the file cannot be read within ``limits`` (while iterating, too).
    """
    check_upload(filename, len(data), data[:16], limits)
    suffix = suffix_of(filename)
    if suffix in CSV_SUFFIXES:
        return _iter_csv(data, limits)
    if suffix in ZIP_SUFFIXES:
        _check_zip(data, suffix, limits)
    return _iter_spreadsheet(data, limits)


def read_cells(filename: str, data: bytes, limits: TableLimits = DEFAULT_LIMITS) -> list[list]:
    """All rows of `iter_cells` (raw cells: str, int, float, bool, date, datetime, time)."""
    return list(iter_cells(filename, data, limits))


def _text(value) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return cell_text(value).strip()


def read_table(filename: str, data: bytes, limits: TableLimits = DEFAULT_LIMITS) -> list[list[str]]:
    """All rows of the first sheet or CSV as text cells (stripped; dates in ISO form).

    Raises:
        TableError: the file cannot be read within ``limits``.
    """
    return [[_text(v) for v in row] for row in iter_cells(filename, data, limits)]


def canonical_header(text: str) -> str:
    """A header cell compared loosely: full-width brackets, spaces and a BOM do not matter."""
    return text.strip().lstrip("\ufeff").replace("（", "(").replace("）", ")").replace(" ", "")
