"""Excel of the maturity list 到期提醒名单 (same scope and filters as the page; constant memory)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from microcredit.apps.core.clock import business_date
from microcredit.apps.core.excel import ExportWorkbook, Money
from microcredit.apps.core.params import digits_param
from microcredit.apps.regions.selectors import region_names
from microcredit.apps.reminders import selectors
from microcredit.domain.errors import DomainError
from microcredit.domain.regions import significant_prefix


def maturity_rows(user, query):
    """The page's rows for ``user`` and its query string (``region``: a township or village code)."""
    return selectors.maturity_list(user=user, on=business_date(), region=region_filter(query))


def region_filter(query) -> str | None:
    """The ``region`` parameter (a township's or village's code, or a 9-digit township prefix) as a prefix."""
    code = digits_param(query, "region", lengths=(6, 9, 12))
    if code and len(code) == 12:
        try:
            return significant_prefix(code)
        except ValueError as exc:
            raise DomainError("region", "不是有效的区划代码") from exc
    return code


def write_maturities_xlsx(rows, see_identity: bool = False, report=None):
    total = rows.count() if report else 0
    book = ExportWorkbook()
    sheet = book.sheet(_("到期提醒名单"))
    sheet.row(0, [_("乡镇"), _("村"), _("户主"), _("借据号"), _("贷款银行"), _("应还日"), _("应还本金（元）"),
                  _("应还利息（元）"), _("贷款到期日")], book.bold)
    names: dict[str, str] = {}
    for i, inst in enumerate(rows.iterator(chunk_size=2000), start=1):
        loan = inst.loan
        township = loan.region_code[:9]
        if township not in names:
            names.update(region_names([township]))
        sheet.row(i, [names.get(township, township), loan.household.village.name, loan.household.head_name,
                      loan.number, str(loan.bank), inst.due_date, Money(inst.principal - inst.principal_paid),
                      Money(max(inst.interest - inst.interest_paid, 0)), loan.maturity_date])
        if report and i % 1000 == 0:
            report(i, total)
    return book.finish()
