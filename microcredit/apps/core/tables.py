"""Reading uploaded tables (CSV, Excel, ODS) as rows of text cells, for every import.

Excel and ODS are read with python-calamine; CSV as UTF-8 (a BOM is tolerated), falling back
to GB18030, which exports from Chinese office software often use.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import PurePath

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip()


def read_table(filename: str, data: bytes) -> list[list[str]]:
    """All rows of the first sheet (Excel/ODS via python-calamine) or of a CSV, as text cells.

    CSV is read as UTF-8 (a BOM is tolerated), falling back to GB18030, which exports from
    Chinese office software often use.
    """
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        return [[_cell(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


def canonical_header(text: str) -> str:
    """A header cell compared loosely: full-width brackets, spaces and a BOM do not matter."""
    return text.strip().lstrip("\ufeff").replace("（", "(").replace("）", ")").replace(" ", "")
