"""Excel export of the filtered loan list (XlsxWriter, constant memory; same filters and scope as /loans/)."""

from __future__ import annotations

import tempfile

import xlsxwriter

COLUMNS = ["借据号", "户主", "借款人", "银行", "区划代码", "金额(元)", "余额(元)", "年利率(%)", "放款日", "到期日",
           "逾期天数", "五级分类", "状态"]


def write_loans_xlsx(queryset):
    """Write the rows to a temporary .xlsx file and return it (open, positioned at 0)."""
    out = tempfile.TemporaryFile()
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = book.add_worksheet("贷款台账")
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "0.00"})
    sheet.write_row(0, 0, COLUMNS, bold)
    sheet.set_column(0, 0, 22)
    for i, loan in enumerate(queryset.order_by("pk").iterator(chunk_size=2000), start=1):
        sheet.write_row(i, 0, [loan.number, loan.household.head_name, loan.borrower.name if loan.borrower_id else "",
                               loan.bank.short_name or loan.bank.name, loan.region_code])
        sheet.write_number(i, 5, loan.principal / 100, money)
        sheet.write_number(i, 6, loan.principal_outstanding / 100, money)
        sheet.write_string(i, 7, str(loan.annual_rate))
        sheet.write_row(i, 8, [loan.disbursed_on.isoformat(), loan.maturity_date.isoformat() if loan.maturity_date else "",
                               loan.days_past_due, str(loan.get_classification_display()),
                               str(loan.get_status_display())])
    book.close()
    out.seek(0)
    return out
