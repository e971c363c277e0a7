"""The reward fund 奖补资金 per year (DOMAIN §8, [S2 道县], issue #12 item 5): the rule is
``domain.rewards``; here its figures, aggregated in SQL, and the list per village × bank with the
totals per township, per bank and for the leading group, scoped.

- Base: the principal of the loans disbursed in the year, per village (the loan's region code)
  and bank.
- Recovery: the village's on-time recovery of the instalments due from 1 January through the
  cut-off (31 December, or the business date while the year is running: the list is then
  provisional), as for the fourth breaker (``indicators.recovery_at_month_ends``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Substr

from microcredit.apps.accounts.scope import SYSTEM, Scope
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.excel import ExportWorkbook, Money
from microcredit.apps.loans.selectors import loans_visible
from microcredit.apps.monitoring.indicators import due_by_month
from microcredit.apps.reference.selectors import bank_list
from microcredit.apps.regions.selectors import region_names
from microcredit.domain.bounds import MIN_YEAR
from microcredit.domain.errors import DomainError
from microcredit.domain.indicators import ratio
from microcredit.domain.rewards import PARTY_LABELS, reward

__all__ = ["RewardError", "RewardLine", "RewardList", "rewards_for", "write_rewards_xlsx"]


class RewardError(DomainError):
    """A year the list cannot be made for (422)."""


@dataclass(frozen=True)
class RewardLine:
    """One village × bank of the year: base, the village's recovery, the reward and its four shares (fen)."""

    township: str
    township_name: str
    village: str
    village_name: str
    bank_id: int
    bank_code: str
    bank_name: str
    loans: int
    disbursed: int
    due: int
    repaid_on_time: int
    recovery_rate: Decimal | None
    eligible: bool
    reason: str
    amount: int
    township_share: int
    village_share: int
    bank_share: int
    leading_group_share: int

    @property
    def recovery_pct(self) -> str:
        """The recovery rate in percent with 2 decimals ("98.50%"), "" when nothing was due."""
        return "" if self.recovery_rate is None else f"{self.recovery_rate * 100:.2f}%"


@dataclass(frozen=True)
class Total:
    key: str
    name: str
    amount: int


@dataclass(frozen=True)
class RewardList:
    year: int
    cutoff: dt.date
    provisional: bool
    lines: tuple[RewardLine, ...]
    townships: tuple[Total, ...]  # the township shares, per township
    villages: tuple[Total, ...]  # the village shares, per village
    banks: tuple[Total, ...]  # the bank shares, per bank
    leading_group: int
    disbursed: int
    amount: int


def _check_year(year: int) -> tuple[dt.date, bool]:
    today = business_date()
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= today.year:
        raise RewardError("year", f"年度须在 {MIN_YEAR} 至 {today.year} 之间")
    end = dt.date(year, 12, 31)
    return min(end, today), today < end


def rewards_for(*, user, year: int) -> RewardList:
    """The reward list of ``year`` for the villages in the user's scope (bank users: their bank's lines)."""
    cutoff, provisional = _check_year(year)
    scope = Scope.of(user)
    loans = loans_visible(user=SYSTEM).filter(disbursed_on__gte=dt.date(year, 1, 1), disbursed_on__lte=cutoff)
    if not scope.unrestricted:
        if scope.bank_id is not None:
            loans = loans.filter(bank_id=scope.bank_id)
            if scope.region_prefixes:
                loans = scope.filter_regions(loans)
        else:
            loans = scope.filter_regions(loans)
    base = list(loans.annotate(c=Substr("region_code", 1, 12)).values("c", "bank_id")
                .annotate(amount=Sum("principal"), n=Count("id")).order_by("c", "bank_id"))
    recovery: dict[str, list[int]] = {}
    villages = {r["c"] for r in base}
    if villages:
        for (code, _y, _m), (due, on_time) in due_by_month(dt.date(year, 1, 1), cutoff).items():
            if code in villages:
                t = recovery.setdefault(code, [0, 0])
                t[0] += due
                t[1] += on_time
    names = region_names(sorted(villages | {c[:9].ljust(12, "0") for c in villages}))
    banks = {b.pk: b for b in bank_list()}
    lines = []
    for row in base:
        code, bank = row["c"], banks.get(row["bank_id"])
        due, on_time = recovery.get(code, (0, 0))
        r = reward(row["amount"], due, on_time)
        township = code[:9].ljust(12, "0")
        lines.append(RewardLine(
            township, names.get(township, township), code, names.get(code, code), row["bank_id"],
            bank.code if bank else "", str(bank) if bank else "", row["n"], row["amount"], due, on_time,
            ratio(on_time, due), r.eligible, r.reason, r.amount, r.township, r.village, r.bank, r.leading_group))
    return RewardList(year, cutoff, provisional, tuple(lines),
                      _totals(lines, "township", "township_name", "township_share"),
                      _totals(lines, "village", "village_name", "village_share"),
                      _totals(lines, "bank_code", "bank_name", "bank_share"),
                      sum(x.leading_group_share for x in lines), sum(x.disbursed for x in lines),
                      sum(x.amount for x in lines))


def _totals(lines: list[RewardLine], key: str, name: str, share: str) -> tuple[Total, ...]:
    out: dict[str, list] = {}
    for x in lines:
        t = out.setdefault(getattr(x, key), [getattr(x, name), 0])
        t[1] += getattr(x, share)
    return tuple(Total(k, n, a) for k, (n, a) in sorted(out.items()))


COLUMNS = ["乡镇", "行政村", "承贷银行", "当年放款笔数", "当年放款金额(元)", "当年到期应收(元)", "按期收回(元)",
           "回收率", "是否达标", "说明", "奖补金额(元)", f"{PARTY_LABELS['township']}(30%)",
           f"{PARTY_LABELS['village']}(20%)", f"{PARTY_LABELS['bank']}(40%)", f"{PARTY_LABELS['leading_group']}(10%)"]


def write_rewards_xlsx(rows, see_identity: bool = False, report=None):
    """The reward list as .xlsx (``rows``: a RewardList wrapped by ``views_rewards.export_rows``), with a
    total row whose figures equal the page and the API."""
    book = ExportWorkbook()
    data: RewardList = rows.data
    sheet = book.sheet(f"{data.year}年奖补资金")
    title = f"{data.year}年度扶贫小额信贷奖补资金测算表" + (f"（截至 {data.cutoff}，未满年度）" if data.provisional else "")
    sheet.row(0, [title], book.bold)
    sheet.row(1, COLUMNS, book.bold)
    sheet.width(0, 2, 14)
    i = 1
    for i, x in enumerate(data.lines, start=2):
        sheet.row(i, [x.township_name, x.village_name, x.bank_name, x.loans, Money(x.disbursed), Money(x.due),
                      Money(x.repaid_on_time), x.recovery_pct,
                      "是" if x.eligible else "否", x.reason, Money(x.amount), Money(x.township_share),
                      Money(x.village_share), Money(x.bank_share), Money(x.leading_group_share)])
    sheet.row(i + 1, ["合计", "", "", sum(x.loans for x in data.lines), Money(data.disbursed), "", "", "", "", "",
                      Money(data.amount), Money(sum(t.amount for t in data.townships)),
                      Money(sum(t.amount for t in data.villages)), Money(sum(t.amount for t in data.banks)),
                      Money(data.leading_group)], book.bold)
    if report:
        report(len(data.lines), len(data.lines))
    return book.finish()
