"""Demo step "ledgers" (after "targets"): the bank officer's month of ledgers (issue #13).

The demo bank's 台账 at the last month end — its loans as the system services them, written the way a
bank's core system exports them (a title line over the header, a 合计 row) — with a few problems of
the kinds reconciliation finds: a balance that differs from the system's, a rate above the cap, five
borrowers' money to one cooperative's account, a borrower not in the registry, a household with a
second loan, a borrower in the county's register of public employees. The county uploads that register
and the officer imports the file, so the findings stand as problem cases. Two more files are left in
``var/demo/ledgers/`` for the walk-through: the corrected ledger (one row updates, its change recorded)
and one with errors (refused, nothing written).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import xlsxwriter
from django.conf import settings

from microcredit.apps.accounts.scope import SYSTEM
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.exchange.services import ledger_import, officials_import
from microcredit.apps.reports.ledger_export import LEDGER_EXPORT_COLUMNS, LedgerParams, ledger_rows
from microcredit.demo.context import DemoContext
from microcredit.domain.identity import make_id_number
from microcredit.domain.money import fen_to_yuan

POOLED_ACCOUNT, POOLED_PAYEE = "6228480010009999999", "青山县兴旺养殖专业合作社"
COLUMN = {name: n for n, name in enumerate(LEDGER_EXPORT_COLUMNS)}


def _cell(value):
    """A ledger value as the bank's file holds it: money as yuan numbers, dates as dates."""
    if hasattr(value, "fen"):
        return float(fen_to_yuan(value.fen))
    return value


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=1) - dt.timedelta(days=1)


def _write(path: Path, title: str, rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("台账")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.merge_range(0, 0, 0, 8, title)
    sheet.write_row(1, 0, LEDGER_EXPORT_COLUMNS)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), dates)
            elif value is not None:
                sheet.write(r, c, value)
    total = len(rows) + 2
    sheet.write(total, 0, "合计")
    sheet.write(total, COLUMN["贷款余额(元)"], sum(row[COLUMN["贷款余额(元)"]] or 0 for row in rows))
    book.close()
    data = buffer.getvalue()
    path.write_bytes(data)
    return data


def _planted(ctx: DemoContext, rows: list[list]) -> tuple[list[list], list[str]]:
    """The month's rows with the problems planted; the borrower in the register of public employees."""
    c = COLUMN
    first = rows[0]
    first[c["贷款余额(元)"]] -= 1000.0  # the bank's figure differs from the system's by 1,000 元
    first[c["累计还款(元)"]] += 1000.0
    rows[1][c["执行年利率(%)"]] = "4.75"
    for row in rows[2:7]:
        row[c["放款账户"]] = POOLED_ACCOUNT
    second = list(rows[7])
    second[c["合同编号"]] = f"{second[c['合同编号']]}-2"
    second[c["贷款金额(元)"]] = second[c["贷款余额(元)"]] = 12000.0  # not the first loan's amount: another loan
    second[c["累计还款(元)"]] = 0.0
    for column in ("累计贴息(元)", "最近还款日期", "逾期金额(元)", "逾期起始日期", "欠息(元)", "欠息起始日期"):
        second[c[column]] = None  # a new loan: nothing subsidised, repaid or overdue yet
    stranger = list(rows[8])
    stranger[c["合同编号"]] = f"{ctx.county.code[:6]}-WB-0001"
    stranger[c["借款人姓名"]] = stranger[c["户主姓名"]] = "钱多多"
    stranger[c["借款人身份证号"]] = stranger[c["户主身份证号"]] = make_id_number(
        ctx.county.code[:6], dt.date(1983, 6, 9), 377, True)
    return [*rows, second, stranger], [rows[9][c["借款人身份证号"]], rows[9][c["借款人姓名"]]]


def create_ledgers(ctx: DemoContext) -> None:
    officer, county = ctx.users.get("bank"), ctx.users.get("county")
    if officer is None or county is None or officer.bank is None:
        return
    bank, as_of = officer.bank, _month_end(ctx.business_date)
    params = LedgerParams("", ctx.county.code[:6], ctx.county.name, as_of, "xlsx", bank.pk)
    rows = [[_cell(v) for v in row] for row in ledger_rows(SYSTEM, params, see_identity=True)]
    # The problems are planted on loans still owing more than 5,000 元 (a plain, current loan).
    balance = COLUMN["贷款余额(元)"]
    rows.sort(key=lambda row: (row[balance] or 0) <= 5000)
    if len(rows) < 12 or (rows[11][balance] or 0) <= 5000:
        return
    folder = Path(settings.VAR_DIR) / "demo" / "ledgers"
    folder.mkdir(parents=True, exist_ok=True)
    title = f"{bank.name}小额信贷台账（截至{as_of:%Y年%m月%d日}）"
    month, (official_id, official_name) = _planted(ctx, [list(r) for r in rows])
    mismatch = month[0][COLUMN["合同编号"]]
    month.sort(key=lambda row: str(row[COLUMN["合同编号"]]))  # as the bank's system lists them
    data = _write(folder / f"{bank.short_name}台账-{as_of:%Y%m}.xlsx", title, month)
    corrected = [list(r) for r in month]
    fixed = next(row for row in corrected if row[COLUMN["合同编号"]] == mismatch)
    fixed[COLUMN["贷款余额(元)"]] += 1000.0
    fixed[COLUMN["累计还款(元)"]] -= 1000.0
    _write(folder / f"{bank.short_name}台账-{as_of:%Y%m}-更正.xlsx", title, corrected)
    broken = [list(r) for r in month]
    broken[3][COLUMN["放款日期"]] = "2026-13-01"
    broken[5][COLUMN["贷款金额(元)"]] = "五万"
    _write(folder / f"{bank.short_name}台账-{as_of:%Y%m}-有错误.xlsx", title, broken)
    register = f"姓名,身份证号,工作单位\n{official_name},{official_id},{ctx.county.name}农业农村局\n".encode("utf-8-sig")
    with pinned_business_date(ctx.business_date):
        officials_import(filename="公职人员名册.csv", data=register, actor=county)
        report = ledger_import(filename=f"{bank.short_name}台账-{as_of:%Y%m}.xlsx", data=data, actor=officer,
                               bank=bank, as_of=as_of)
    ctx.count("ledger_rows", report.ledger_import.counts.get("created", 0))
    ctx.count("ledger_findings", report.ledger_import.finding_count)
    ctx.log(f"银行台账：{folder}（已导入 {bank.short_name} {as_of:%Y年%m月} 台账，核查发现 "
            f"{report.ledger_import.finding_count} 个问题；更正版与有错误的文件供演示上传）")
