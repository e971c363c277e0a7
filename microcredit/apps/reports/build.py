"""Producing a report from its definition: rows from the dataset, the layout (``domain.reports.layout``),
then an .xlsx (title rows, headers, 小计/合计, unit 元 or 万元, 制表单位 and date) or the print view's
table. Money is written from integer fen: yuan as the exact decimal text of ``fen_to_yuan``, 万元
by exact Decimal division (``domain.reports.fen_to_wan``); never a float computed here."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter

from microcredit.apps.core.clock import business_date
from microcredit.apps.reports.datasets import DATASETS, TooManyRows
from microcredit.apps.reports.params import ReportParams
from microcredit.domain.errors import DomainError
from microcredit.domain.money import fen_to_yuan
from microcredit.domain.reports import OutRow, fen_to_wan, layout

_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False, "constant_memory": True}
EXCEL_DIGITS = 15


class ReportError(DomainError):
    pass


@dataclass
class Produced:
    title: str
    subtitle: str  # region and period
    unit: str
    headers: list[str]
    formats: list[str]
    rows: list[OutRow]
    numbered: bool
    footer: str
    preparer: str
    made_on: dt.date


def produce(spec: dict, user, params: ReportParams, see_identity: bool, report=lambda *a, **k: None) -> Produced:
    dataset = DATASETS[spec["dataset"]]
    report(0, 3, "正在读取数据")
    try:
        rows, total = dataset.read(user, params, see_identity)
    except TooManyRows:
        raise ReportError("rows", "数据超过 20 万行，请缩小区域或期间后再生成") from None
    report(1, 3, f"已读取 {len(rows)} 行，正在汇总")
    kinds = dict(dataset.shape.columns)
    body = layout(spec, kinds, rows, total)
    bank = f" · {params.bank.short_name or params.bank.name}" if params.bank else ""
    preparer = getattr(user, "get_full_name", lambda: "")() or getattr(user, "username", "")
    return Produced(spec["title"], f"{params.region_name}{bank} · {params.period_label}", spec.get("unit", "元"),
                    [c["header"] for c in spec["columns"]], [c.get("format", "text") for c in spec["columns"]], body,
                    bool(spec.get("numbered")), spec.get("footer", ""), preparer, business_date())


def money_value(fen: int, unit: str) -> Decimal:
    return fen_to_wan(fen) if unit == "万元" else Decimal(fen_to_yuan(fen))


def display(value, fmt: str, unit: str) -> str:
    """A cell as text (the print view)."""
    if value is None or fmt == "blank":
        return ""
    if fmt == "money" and isinstance(value, int):
        return f"{money_value(value, unit):,.2f}"
    if fmt == "ratio" and isinstance(value, Decimal):
        return f"{(value * 100).quantize(Decimal('0.01'))}%"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_xlsx(p: Produced):
    """The report as an .xlsx file (open, at position 0)."""
    out = tempfile.TemporaryFile()
    book = xlsxwriter.Workbook(out, _OPTIONS)
    sheet = book.add_worksheet(p.title[:31].replace("/", "_"))
    title = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "text_wrap": True, "bg_color": "#EEEEEE"})
    cell = book.add_format({"border": 1})
    bold = book.add_format({"border": 1, "bold": True})
    money = {False: book.add_format({"border": 1, "num_format": "#,##0.00"}),
             True: book.add_format({"border": 1, "num_format": "#,##0.00", "bold": True})}
    pct = {False: book.add_format({"border": 1, "num_format": "0.00%"}),
           True: book.add_format({"border": 1, "num_format": "0.00%", "bold": True})}
    offset = 1 if p.numbered else 0
    width = len(p.headers) + offset
    sheet.merge_range(0, 0, 0, max(width - 1, 1), p.title, title)
    sheet.merge_range(1, 0, 1, max(width - 1, 1), f"{p.subtitle}　　单位：{p.unit}", book.add_format({"align": "center"}))
    headers = (["序号"] if p.numbered else []) + p.headers
    for col, text in enumerate(headers):
        sheet.write_string(2, col, text, head)
    sheet.set_column(0, width - 1, 14)
    row_at, seq = 3, 0
    for r in p.rows:
        strong = r.kind != "data"
        if p.numbered:
            if r.kind == "data":
                seq += 1
                sheet.write_number(row_at, 0, seq, cell)
            else:
                sheet.write_blank(row_at, 0, None, bold)
        for col, (value, fmt) in enumerate(zip(r.cells, p.formats), start=offset):
            _write(sheet, row_at, col, value, fmt, p.unit, bold if strong else cell, money[strong], pct[strong])
        row_at += 1
    if p.footer:
        sheet.write_string(row_at + 1, 0, p.footer)
        row_at += 1
    sheet.write_string(row_at + 1, 0, f"制表单位：{p.subtitle.split(' · ')[0]}　　制表人：{p.preparer}　　制表日期：{p.made_on.isoformat()}")
    book.close()
    out.seek(0)
    return out


def _write(sheet, row: int, col: int, value, fmt: str, unit: str, text_fmt, money_fmt, pct_fmt) -> None:
    if value is None or fmt == "blank" or value == "":
        sheet.write_blank(row, col, None, text_fmt)
    elif fmt == "money" and isinstance(value, int) and not isinstance(value, bool):
        amount = money_value(value, unit)
        if len(str(abs(amount)).replace(".", "")) > EXCEL_DIGITS:
            sheet.write_string(row, col, str(amount), money_fmt)
        else:
            sheet.write_number(row, col, amount, money_fmt)
    elif fmt == "ratio" and isinstance(value, Decimal):
        sheet.write_number(row, col, value, pct_fmt)
    elif isinstance(value, int) and not isinstance(value, bool) and fmt == "int":
        sheet.write_number(row, col, value, text_fmt)
    elif isinstance(value, dt.date):
        sheet.write_string(row, col, value.isoformat(), text_fmt)
    else:
        sheet.write_string(row, col, str(value), text_fmt)


def filename(p: Produced) -> str:
    return f"{p.title}_{p.made_on:%Y%m%d}.xlsx"
