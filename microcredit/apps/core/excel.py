"""The one Excel writer of every export: text stays text, money stays exact (ARCHITECTURE §3).

* **Text is never a formula.** A household named ``=HYPERLINK("http://x","点击")`` must open as
  those characters, not as a live link or a formula run on the reader's machine. Every ``str``
  is written with XlsxWriter's ``write_string`` (a shared-string cell), and the workbook is
  created with ``strings_to_formulas``/``strings_to_urls``/``strings_to_numbers`` off so that
  no generic ``write`` can turn one into something else.
* **Money is exact.** Amounts are integer fen (DOMAIN §5), wrapped in :class:`Money`; the cell
  is the number in yuan made from the exact decimal text of `fen_to_yuan` (no ``/ 100`` in
  float). Excel stores numbers as binary doubles with 15 significant digits, so an amount of
  10^13 yuan or more is written as its exact text instead of being silently rounded.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from typing import NamedTuple

import xlsxwriter

from microcredit.domain.money import fen_to_yuan

EXCEL_DIGITS = 15  # significant digits an Excel number keeps
_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


class Money(NamedTuple):
    """An amount in integer fen, to be shown in yuan with two decimals."""

    fen: int


class ExportSheet:
    """One worksheet: rows of ``str`` / ``int`` / `Money` / date / ``None`` cells."""

    def __init__(self, book: ExportWorkbook, worksheet) -> None:
        self._book, self._sheet = book, worksheet

    def width(self, first: int, last: int, width: float, fmt=None) -> None:
        self._sheet.set_column(first, last, width, fmt)

    def row(self, row: int, values: list, fmt=None) -> None:
        """Write ``values`` from column 0; ``fmt`` applies to text and integer cells."""
        for col, value in enumerate(values):
            self.cell(row, col, value, fmt)

    def cell(self, row: int, col: int, value, fmt=None) -> None:
        sheet = self._sheet
        if value is None or value == "":
            sheet.write_blank(row, col, None, fmt)
        elif isinstance(value, Money):
            self._money(row, col, value.fen)
        elif isinstance(value, bool):
            sheet.write_string(row, col, "是" if value else "否", fmt)
        elif isinstance(value, int):
            if abs(value) < 10**EXCEL_DIGITS:
                sheet.write_number(row, col, value, fmt)
            else:
                sheet.write_string(row, col, str(value), fmt)
        elif isinstance(value, float):
            raise TypeError("导出不写浮点数：金额用 Money（分），比例用文本")
        elif isinstance(value, (dt.date, dt.datetime)):
            sheet.write_string(row, col, value.isoformat(), fmt)
        else:
            sheet.write_string(row, col, str(value), fmt)

    def _money(self, row: int, col: int, fen: int) -> None:
        text = fen_to_yuan(fen)
        if len(text.lstrip("-").replace(".", "")) > EXCEL_DIGITS:
            self._sheet.write_string(row, col, text, self._book.money)
        else:
            self._sheet.write_number(row, col, Decimal(text), self._book.money)


class ExportWorkbook:
    """An .xlsx written to a temporary file; `finish` returns the file, open at position 0."""

    def __init__(self, *, constant_memory: bool = True) -> None:
        self.file = tempfile.TemporaryFile()
        self._book = xlsxwriter.Workbook(self.file, {"constant_memory": constant_memory, **_OPTIONS})
        self.bold = self._book.add_format({"bold": True})
        self.money = self._book.add_format({"num_format": "0.00"})

    def format(self, properties: dict):
        return self._book.add_format(properties)

    def sheet(self, name: str) -> ExportSheet:
        return ExportSheet(self, self._book.add_worksheet(name))

    def finish(self):
        self._book.close()
        self.file.seek(0)
        return self.file
