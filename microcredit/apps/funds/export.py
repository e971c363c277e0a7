"""Excel export of the quarterly subsidy report (扶贫小额贷款贴息情况季度报表), from `subsidy.quarterly_report`."""

from __future__ import annotations

from microcredit.apps.core.excel import ExportWorkbook, Money
from microcredit.apps.core.labels import label_of

COLUMNS = ["县", "银行", "本季贴息笔数", "本季贴息户数", "本季贴息金额(元)", "本年累计笔数", "本年累计金额(元)"]


def write_report_xlsx(report: dict):
    book = ExportWorkbook()
    sheet = book.sheet(f"{report['year']}年第{report['quarter']}季度")
    sheet.row(0, [f"扶贫小额贷款贴息情况季度报表 {report['first']:%Y-%m-%d} 至 {report['last']:%Y-%m-%d}（已拨付批次）"],
              book.bold)
    sheet.row(1, COLUMNS, book.bold)
    sheet.width(1, 1, 24)
    row = 2
    for r in report["rows"]:
        sheet.row(row, [label_of("region", r["batch__county_code"]), r["batch__bank__name"], r["q_loans"], r["q_households"],
                        Money(r["q_amount"]), r["ytd_loans"], Money(r["ytd_amount"] or 0)])
        row += 1
    sheet.row(row, ["合计", None, None, None, Money(report["total_q"]), None, Money(report["total_ytd"])], book.bold)
    return book.finish()
