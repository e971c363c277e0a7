"""Excel export of the filtered loan list (constant memory; same filters and scope as /loans/)."""

from __future__ import annotations

from microcredit.apps.core.excel import ExportWorkbook, Money

COLUMNS = ["借据号", "户主", "借款人", "银行", "区划代码", "金额(元)", "余额(元)", "年利率(%)", "放款日", "到期日",
           "逾期天数", "五级分类", "状态"]


def write_loans_xlsx(queryset, see_identity: bool = False, report=None):
    """Write the rows to a temporary .xlsx file and return it (open, positioned at 0);
    `report(done, total)` every 1,000 rows (an export job's progress). No identity column."""
    total = queryset.count() if report else 0
    book = ExportWorkbook()
    sheet = book.sheet("贷款台账")
    sheet.row(0, COLUMNS, book.bold)
    sheet.width(0, 0, 22)
    for i, loan in enumerate(queryset.order_by("pk").iterator(chunk_size=2000), start=1):
        sheet.row(i, [
            loan.number, loan.household.head_name, loan.borrower.name if loan.borrower_id else "",
            loan.bank.short_name or loan.bank.name, loan.region_code,
            Money(loan.principal), Money(loan.principal_outstanding), str(loan.annual_rate),
            loan.disbursed_on, loan.maturity_date, loan.days_past_due,
            loan.get_classification_display(), loan.get_status_display(),
        ])
        if report and i % 1000 == 0:
            report(i, total)
    return book.finish()
