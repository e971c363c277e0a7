"""Excel export of the quarterly subsidy report (扶贫小额贷款贴息情况季度报表), from `subsidy.quarterly_report`."""

from __future__ import annotations

import tempfile

import xlsxwriter

COLUMNS = ["县", "银行", "本季贴息笔数", "本季贴息户数", "本季贴息金额(元)", "本年累计笔数", "本年累计金额(元)"]


def write_report_xlsx(report: dict):
    out = tempfile.TemporaryFile()
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = book.add_worksheet(f"{report['year']}年第{report['quarter']}季度")
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "0.00"})
    sheet.write_row(0, 0, [f"扶贫小额贷款贴息情况季度报表 {report['first']:%Y-%m-%d} 至 {report['last']:%Y-%m-%d}（已拨付批次）"], bold)
    sheet.write_row(1, 0, COLUMNS, bold)
    sheet.set_column(1, 1, 24)
    row = 2
    for r in report["rows"]:
        sheet.write_row(row, 0, [r["batch__county_code"], r["batch__bank__name"], r["q_loans"], r["q_households"]])
        sheet.write_number(row, 4, r["q_amount"] / 100, money)
        sheet.write_number(row, 5, r["ytd_loans"])
        sheet.write_number(row, 6, (r["ytd_amount"] or 0) / 100, money)
        row += 1
    sheet.write_string(row, 0, "合计", bold)
    sheet.write_number(row, 4, report["total_q"] / 100, money)
    sheet.write_number(row, 6, report["total_ytd"] / 100, money)
    book.close()
    out.seek(0)
    return out
