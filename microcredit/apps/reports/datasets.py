"""The datasets a report definition may name (issue #12 §9): each a scoped read through other apps'
selectors returning rows of named, typed columns (``domain.reports.DatasetShape``), and optionally
the dataset's own total row (the indicators of the region itself, so the report equals the API).

Every dataset receives the user (scope: regions, and bank for bank users), the resolved
parameters (``params.ReportParams``) and whether identities are shown in full. Money is integer
fen; ratios Decimal with 4 places; dates ``datetime.date``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from microcredit.apps.accounts.scope import SYSTEM
from microcredit.apps.core.masking import mask_id_number, mask_phone
from microcredit.apps.funds.selectors import (
    fund_account_movements,
    lending_quota,
    subsidy_lines_list,
)
from microcredit.apps.loans.selectors import LoanStatus, loan_list
from microcredit.apps.monitoring.selectors import available_dates, indicators
from microcredit.apps.rating.selectors import rating_list
from microcredit.apps.regions.selectors import region_names
from microcredit.domain.classification import CLASS_LABELS
from microcredit.domain.households import HOUSEHOLD_STATUS_LABELS
from microcredit.domain.money import yuan_to_fen
from microcredit.domain.regions import significant_prefix
from microcredit.domain.reports import DatasetShape, add_months, ratio

LIGHT_LABELS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}
MAX_ROWS = 200_000  # a report is for a county at most; beyond this it is refused, never half-written


@dataclass(frozen=True)
class Dataset:
    label: str
    columns: dict[str, tuple[str, str]]  # field → (Chinese name, kind)
    params: tuple[str, ...]
    read: Callable  # (user, params, see_identity) → (rows, total | None)

    @property
    def shape(self) -> DatasetShape:
        return DatasetShape(self.label, {f: k for f, (_n, k) in self.columns.items()}, self.params,
                            {f: n for f, (n, _k) in self.columns.items()})


class TooManyRows(Exception):
    pass


def _names(codes) -> dict[str, str]:
    return region_names(sorted({c for c in codes if c}))


def _place(rows: list[dict]) -> None:
    """Fill township and village names from each row's ``region_code``."""
    names = _names({r["region_code"][:9] for r in rows} | {r["region_code"][:12] for r in rows})
    for r in rows:
        r["township"] = names.get(r["region_code"][:9], "")
        r["village"] = names.get(r["region_code"][:12], "")


def _bank_name(loan) -> str:
    return f"{loan.bank.short_name or loan.bank.name}{'（' + loan.branch.name + '）' if loan.branch_id else ''}"


def _loans(user, p, **filters):
    qs = loan_list(user=user, region=p.region_prefix, bank=p.bank.pk if p.bank else None, **filters)
    return qs.select_related("branch")


def _bounded(qs):
    if qs.count() > MAX_ROWS:
        raise TooManyRows
    return qs


def _grades(household_ids) -> dict[int, tuple[str, int]]:
    rows = rating_list(SYSTEM).filter(household_id__in=list(household_ids), status="effective").order_by("valid_from", "id")
    return {r.household_id: (r.grade, r.credit_limit) for r in rows}


def _loan_row(loan, see_identity: bool) -> dict:
    hh, borrower = loan.household, loan.borrower
    return {"region_code": loan.region_code, "head_name": hh.head_name, "borrower": borrower.name,
            "id_number": borrower.id_number if see_identity else mask_id_number(borrower.id_number),
            "phone": (borrower.phone or hh.phone) if see_identity else mask_phone(borrower.phone or hh.phone),
            "household_status": HOUSEHOLD_STATUS_LABELS.get(hh.status, ""), "number": loan.number,
            "principal": loan.principal, "disbursed_on": loan.disbursed_on, "maturity_date": loan.maturity_date,
            "term_months": loan.term_months, "annual_rate": loan.annual_rate,
            "purpose": "，".join(x for x in (loan.industry, loan.purpose) if x), "usage_mode": loan.get_usage_mode_display(),
            "bank": _bank_name(loan), "balance": loan.principal_outstanding, "overdue_principal": loan.overdue_principal,
            "overdue_interest": loan.overdue_interest, "penalty": loan.penalty_owed, "days_past_due": loan.days_past_due,
            "classification": CLASS_LABELS.get(loan.classification, ""), "household_id": hh.pk}


def loans_disbursed(user, p, see_identity):
    qs = _bounded(_loans(user, p).filter(disbursed_on__range=(p.start, p.end)).order_by("region_code", "disbursed_on", "number"))
    rows = [_loan_row(loan, see_identity) for loan in qs.iterator(chunk_size=2000)]
    grades = _grades({r["household_id"] for r in rows})
    for r in rows:
        r["grade"], r["credit_limit"] = grades.get(r["household_id"], ("", 0))
    _place(rows)
    return rows, None


def public_notice(user, p, see_identity):
    rows, _ = loans_disbursed(user, p, False)  # a public notice never shows an ID number
    for r in rows:
        r.pop("id_number"), r.pop("phone")
    return rows, None


def overdue_loans(user, p, see_identity):
    qs = _bounded(_loans(user, p, status=LoanStatus.ACTIVE).filter(days_past_due__gt=0)
                  .select_related("day_state").order_by("region_code", "-days_past_due", "number"))
    rows = []
    for loan in qs.iterator(chunk_size=2000):
        row = _loan_row(loan, see_identity)
        as_of = loan.state_as_of
        row["overdue_since"] = (as_of - dt.timedelta(days=loan.days_past_due - 1)) if as_of else None
        state = getattr(loan, "day_state", None)
        row["light"] = LIGHT_LABELS.get(state.warning_light, "") if state else ""
        rows.append(row)
    _place(rows)
    return rows, None


def maturities(user, p, see_identity):
    horizon = add_months(p.as_of.replace(day=1), p.months + 1)
    qs = _bounded(_loans(user, p, status=LoanStatus.ACTIVE)
                  .filter(maturity_date__gt=p.as_of, maturity_date__lt=horizon)
                  .order_by("region_code", "maturity_date", "number"))
    rows = [_loan_row(loan, see_identity) for loan in qs.iterator(chunk_size=2000)]
    _place(rows)
    return rows, None


def subsidy_lines(user, p, see_identity):
    qs = _bounded(subsidy_lines_list(user=user, start=p.start, end=p.end, region_prefix=p.region_prefix, bank=p.bank))
    rows = []
    for line in qs.iterator(chunk_size=2000):
        loan = line.loan
        rows.append({"region_code": loan.region_code, "bank": line.batch.bank.short_name or line.batch.bank.name,
                     "borrower": loan.borrower.name, "number": loan.number, "principal": loan.principal,
                     "period_start": line.period_start, "due_date": line.due_date, "days": line.days_in_window,
                     "annual_rate": loan.annual_rate, "subsidy_rate": line.rate, "subsidy_ratio": line.ratio,
                     "amount": line.amount, "on_time": "是" if line.kind == "subsidy" else "否（追回）",
                     "reason": line.reason, "batch": line.batch.number})
    _place(rows)
    return rows, None


def fund_accounts(user, p, see_identity):
    rows = []
    for m in fund_account_movements(user=user, start=p.start, end=p.end, bank=p.bank):
        account = m["account"]
        _quota, loan_balance = lending_quota(account.bank, account.county_code)
        quota = max(m["closing"], 0) * account.leverage
        rows.append({"bank": account.bank.short_name or account.bank.name, "account": account.name,
                     "opening": m["opening"], "deposits": m["deposit"] + m["top_up"], "interest": m["interest"],
                     "payouts": -m["payout"], "recoveries": m["recovery"], "transfers_out": -m["transfer_out"],
                     "closing": m["closing"], "leverage": account.leverage, "quota": quota, "loan_balance": loan_balance,
                     "quota_used": ratio(loan_balance, quota)})
    return rows, None


INDICATOR_FIELDS = ("households_eligible", "households_borrowed_ever", "loans_outstanding", "households_outstanding",
                    "balance", "overdue_balance", "npl_balance", "due_in_period", "repaid_on_time_in_period",
                    "cumulative_amount", "cumulative_loans")
INDICATOR_RATIOS = ("access_rate", "overdue_ratio", "npl_ratio", "on_time_rate")


def _get(obj, name):
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _fen(value) -> int:
    """An indicator amount as integer fen: an int is fen already; a yuan string/Decimal is converted exactly."""
    if isinstance(value, int) or value is None:
        return value or 0
    return yuan_to_fen(value)  # the one money edge (a Decimal or yuan string from the indicators API)


def _indicator_row(ind, name: str) -> dict:
    row = {"unit": name, "region_code": str(_get(ind, "region") or "")}
    for f in INDICATOR_FIELDS:
        v = _get(ind, f)
        row[f] = _fen(v) if f in ("balance", "overdue_balance", "npl_balance", "due_in_period",
                                  "repaid_on_time_in_period", "cumulative_amount") else int(v or 0)
    for f in INDICATOR_RATIOS:
        v = _get(ind, f)
        row[f] = None if v is None else Decimal(str(v))
    return row


def _region_code_of(ind) -> str:
    return str(_get(ind, "region") or "")


def indicator_rows(user, p, see_identity):
    """The 管理月报表's rows: the indicators (``monitoring.selectors.indicators``, the same as
    ``GET /api/v1/monitoring/indicators``) of each child of the region, and the region's own as the total
    row; plus the month's lending and the effective ratings, counted per child region."""
    dates = available_dates()
    as_of = dates[0] if dates and p.as_of not in dates and p.as_of > dates[0] else p.as_of  # the month not closed yet
    top = indicators(user=user, region_code=p.region_code, as_of=as_of, bank=p.bank)
    children = list(_get(top, "children") or [])
    codes = [_region_code_of(c) for c in children] + [_region_code_of(top)]
    rows = [_indicator_row(c, _get(c, "region_name") or code) | {"region_code": code} for c, code in zip(children, codes)]
    total = _indicator_row(top, "合计") | {"region_code": codes[-1]}
    month = _loans(user, p).filter(disbursed_on__range=(p.start, p.end)).values_list("region_code", "household_id", "principal")
    rated = rating_list(user).filter(status="effective", valid_from__lte=as_of).values_list("region_code", "credit_limit")
    if p.region_prefix:
        rated = rated.filter(region_code__startswith=p.region_prefix)
    by_prefix = {significant_prefix(r["region_code"]): r for r in rows}
    width = len(next(iter(by_prefix), ""))
    for r in rows + [total]:
        r["month_households"], r["month_amount"], r["rated_households"], r["credit_amount"] = set(), 0, 0, 0
    for code, household, principal in month.iterator():
        for r in (by_prefix.get(code[:width]), total):
            if r is not None:
                r["month_households"].add(household)
                r["month_amount"] += principal
    for code, limit in rated.iterator():
        for r in (by_prefix.get(code[:width]), total):
            if r is not None:
                r["rated_households"] += 1
                r["credit_amount"] += limit
    for r in rows + [total]:
        r["month_households"] = len(r["month_households"])
    return rows, total


_MONEY, _INT, _TEXT, _DATE, _RATE, _RATIO = "money", "int", "text", "date", "rate", "ratio"
LOAN_COLUMNS = {
    "township": ("乡镇", _TEXT), "village": ("村", _TEXT), "head_name": ("户主姓名", _TEXT), "borrower": ("借款人", _TEXT),
    "id_number": ("身份证号", _TEXT), "phone": ("电话", _TEXT), "household_status": ("户类型", _TEXT),
    "number": ("借据号", _TEXT), "principal": ("贷款金额", _MONEY), "disbursed_on": ("放款日期", _DATE),
    "maturity_date": ("到期日期", _DATE), "term_months": ("期限（月）", _INT), "annual_rate": ("年利率（%）", _RATE),
    "purpose": ("用途（产业）", _TEXT), "usage_mode": ("使用方式", _TEXT), "bank": ("贷款银行", _TEXT),
    "balance": ("贷款余额", _MONEY), "overdue_principal": ("逾期本金", _MONEY), "overdue_interest": ("欠息", _MONEY),
    "penalty": ("罚息", _MONEY), "days_past_due": ("逾期天数", _INT), "classification": ("五级分类", _TEXT),
}
DATASETS: dict[str, Dataset] = {
    "loans_disbursed": Dataset("当月发放的贷款", LOAN_COLUMNS | {"grade": ("信用等级", _TEXT), "credit_limit": ("授信额度", _MONEY)},
                               ("region", "month"), loans_disbursed),
    "overdue_loans": Dataset("逾期贷款（最近一次日终）", LOAN_COLUMNS | {"overdue_since": ("逾期起始日", _DATE),
                                                           "light": ("预警灯", _TEXT)}, ("region",), overdue_loans),
    "maturities": Dataset("今后 N 个月到期的贷款", LOAN_COLUMNS, ("region", "as_of", "months"), maturities),
    "public_notice": Dataset("公示名单（当月发放）", {k: v for k, v in LOAN_COLUMNS.items() if k not in ("id_number", "phone")},
                             ("region", "month"), public_notice),
    "subsidy_lines": Dataset("贴息明细（按季度）", {
        "bank": ("银行", _TEXT), "township": ("乡镇", _TEXT), "village": ("村", _TEXT), "borrower": ("借款人", _TEXT),
        "number": ("借据号", _TEXT), "principal": ("贷款金额", _MONEY), "period_start": ("计息起日", _DATE),
        "due_date": ("计息止日", _DATE), "days": ("计息天数", _INT), "annual_rate": ("执行利率（%）", _RATE),
        "subsidy_rate": ("贴息利率（%）", _RATE), "subsidy_ratio": ("贴息比例", _RATIO), "amount": ("应贴息金额", _MONEY),
        "on_time": ("是否按期还款", _TEXT), "reason": ("说明", _TEXT), "batch": ("申报批次", _TEXT)},
        ("quarter",), subsidy_lines),
    "fund_accounts": Dataset("风险补偿金专户（按月）", {
        "bank": ("银行", _TEXT), "account": ("专户", _TEXT), "opening": ("期初余额", _MONEY), "deposits": ("本期存入", _MONEY),
        "interest": ("利息收入", _MONEY), "payouts": ("本期代偿", _MONEY), "recoveries": ("本期追回", _MONEY),
        "transfers_out": ("本期调出", _MONEY), "closing": ("期末余额", _MONEY), "leverage": ("放大倍数", _INT),
        "quota": ("可放贷额度", _MONEY), "loan_balance": ("贷款余额", _MONEY), "quota_used": ("额度使用率", _RATIO)},
        ("month",), fund_accounts),
    "indicators": Dataset("监测指标（按下级区划）", {
        "unit": ("单位", _TEXT), "households_eligible": ("建档立卡户数", _INT), "households_borrowed_ever": ("累计获贷户数", _INT),
        "access_rate": ("获贷率", _RATIO), "loans_outstanding": ("在贷笔数", _INT), "households_outstanding": ("余额户数", _INT),
        "balance": ("贷款余额", _MONEY), "overdue_balance": ("逾期金额", _MONEY), "npl_balance": ("不良金额", _MONEY),
        "overdue_ratio": ("逾期率", _RATIO), "npl_ratio": ("不良率", _RATIO), "due_in_period": ("本月到期金额", _MONEY),
        "repaid_on_time_in_period": ("本月到期已还金额", _MONEY), "on_time_rate": ("到期还款率", _RATIO),
        "cumulative_amount": ("累计放款金额", _MONEY), "cumulative_loans": ("累计放款户次", _INT),
        "month_households": ("本月放款户数", _INT), "month_amount": ("本月放款金额", _MONEY),
        "rated_households": ("已评级授信户数", _INT), "credit_amount": ("授信金额", _MONEY)},
        ("region", "month"), indicator_rows),
}


def shapes() -> dict[str, DatasetShape]:
    return {name: ds.shape for name, ds in DATASETS.items()}
