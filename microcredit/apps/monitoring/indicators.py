"""Indicators 指标 for a region and a date (DOMAIN §9, issue #12 item 7), aggregated in SQL.

Where each figure comes from (``as_of`` = a close date that is kept, see :func:`available_dates`):

- ``loans_outstanding``, ``households_outstanding``, ``balance``, ``overdue_balance``,
  ``npl_balance``: the close's ``Aggregate`` rows of ``as_of`` (per village/township/county,
  all banks or one bank) — the figures the dashboard shows. A breakdown by industry, usage mode
  or policy era sums the close's per-loan states of that date instead (``LoanDayState`` for
  the latest close, ``LoanMonthSnapshot`` for a month end), with the same definitions.
- ``households_eligible``: registered households of the region whose status is eligible in the
  policy era in force on ``as_of`` (``households.eligibility``; 五保户 excluded) — the registry as
  it is now (it keeps no history).
- ``households_borrowed_ever``, ``cumulative_amount``, ``cumulative_loans``: every loan disbursed
  on or before ``as_of`` in the region (by the loan's region code, whatever its status now);
  renewals are loans of their own (户次).
- ``due_in_period``, ``repaid_on_time_in_period``: instalments of the loans' current schedule
  due from the first of ``as_of``'s month through ``as_of`` (principal + interest). "Repaid on
  time" reads ``Installment.paid_off_on``: an instalment paid off on or before its due date counts
  in full; one paid late, partly paid, or unpaid counts 0 (like the subsidy's "paid in full by
  its due date", DOMAIN §6). Both figures are stable: a later payment never changes them.

Every figure is a GROUP BY over the region's prefix (one query per source, parent and children
together); nothing loops over loans in Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear, Substr

from microcredit.apps.accounts.scope import SYSTEM, Scope
from microcredit.apps.households.selectors import households_in_scope
from microcredit.apps.loans.selectors import VOCABULARIES as LOAN_VOCABULARIES
from microcredit.apps.loans.selectors import loans_visible
from microcredit.apps.monitoring.models import (
    Aggregate,
    CloseRun,
    IndicatorFigure,
    LadderFigure,
    LoanDayState,
    LoanMonthSnapshot,
)
from microcredit.apps.reference.selectors import bank_list, era_names, policy_era_on
from microcredit.apps.regions.selectors import region_names, regions_in_scope
from microcredit.domain import indicators as rules
from microcredit.domain.circuit_breakers import Recovery
from microcredit.domain.classification import NPL_CLASSES
from microcredit.domain.errors import DomainError
from microcredit.domain.households import DEFAULT_ELIGIBLE_STATUSES
from microcredit.domain.regions import PREFIX_LENGTH, region_level

__all__ = [
    "BREAKDOWNS",
    "IndicatorError",
    "Indicators",
    "LadderMonth",
    "available_dates",
    "check_as_of",
    "indicators",
    "maturity_ladder",
]

LEVELS = ("county", "township", "village")
CHILD_LEVEL = {"county": "township", "township": "village"}
BREAKDOWNS = {"bank": "银行", "industry": "产业", "usage_mode": "使用方式", "policy_era": "政策期"}
_UsageMode = next(v for v in LOAN_VOCABULARIES if v.__name__ == "UsageMode")
ZERO = {"households_eligible": 0, "households_borrowed_ever": 0, "loans_outstanding": 0, "households_outstanding": 0,
        "balance": 0, "overdue_balance": 0, "npl_balance": 0, "due_in_period": 0, "repaid_on_time_in_period": 0,
        "cumulative_amount": 0, "cumulative_loans": 0}


class IndicatorError(DomainError):
    """A request for indicators the data cannot answer (a date without a kept close, a bad code): 422."""


@dataclass(frozen=True)
class Indicators:
    """The DOMAIN §9 figures of one region (or one group of a breakdown) on ``as_of``; amounts in fen.

    Ratios: ``domain.indicators.ratio`` (Decimal, 4 places, half-up; None when the denominator is 0).
    ``children``: the same per child region (county → townships, township → villages).
    ``breakdown``: the same per group when asked ``by`` (``group`` the key, ``group_label`` its words).
    """

    region: str
    region_name: str
    level: str
    as_of: dt.date
    bank_id: int | None
    households_eligible: int
    households_borrowed_ever: int
    loans_outstanding: int
    households_outstanding: int
    balance: int
    overdue_balance: int
    npl_balance: int
    due_in_period: int
    repaid_on_time_in_period: int
    cumulative_amount: int
    cumulative_loans: int
    children: tuple[Indicators, ...] = ()
    group: str = ""
    group_label: str = ""
    breakdown: tuple[Indicators, ...] = ()
    by: str = ""
    period: tuple[dt.date, dt.date] = field(default=(dt.date.min, dt.date.min))

    @property
    def access_rate(self) -> Decimal | None:
        return rules.access_rate(self.households_borrowed_ever, self.households_eligible)

    @property
    def overdue_ratio(self) -> Decimal | None:
        return rules.overdue_ratio(self.overdue_balance, self.balance)

    @property
    def npl_ratio(self) -> Decimal | None:
        return rules.npl_ratio(self.npl_balance, self.balance)

    @property
    def on_time_rate(self) -> Decimal | None:
        return rules.on_time_rate(self.repaid_on_time_in_period, self.due_in_period)

    @property
    def average_loan(self) -> int | None:
        return rules.average_loan(self.balance, self.households_outstanding)


# --- dates -----------------------------------------------------------------------------------------


def available_dates() -> list[dt.date]:
    """The dates indicators can be asked for, newest first: the latest finished close and every
    finished month-end close before it (their ``Aggregate`` rows and month-end snapshots are kept)."""
    days = list(CloseRun.objects.filter(status=CloseRun.Status.DONE).order_by("-business_date")
                .values_list("business_date", flat=True))
    if not days:
        return []
    return [days[0]] + [d for d in days[1:] if rules.is_month_end(d)]


def check_as_of(as_of: dt.date | None) -> dt.date:
    """``as_of`` when indicators exist for it (None → the latest close); else IndicatorError naming
    the nearest available dates."""
    days = available_dates()
    if not days:
        raise IndicatorError("as_of", "尚未完成任何日终，没有监测指标")
    if as_of is None:
        return days[0]
    if as_of in days:
        return as_of
    nearest = sorted(days, key=lambda d: (abs((d - as_of).days), d))[:2]
    raise IndicatorError("as_of", f"{as_of} 没有保留的日终数据（只保留最近一次日终和各月末）；"
                                  f"最近的可选日期：{'、'.join(str(d) for d in sorted(nearest))}")


# --- scope -----------------------------------------------------------------------------------------


def _resolve(user, region_code: str, bank) -> tuple[str, str, int | None]:
    """(region code, level, bank id) after the scope check.

    A region that does not exist: DoesNotExist; one outside the user's regions, or another bank
    than a bank user's own: PermissionDenied. A bank user is always narrowed to its bank.
    """
    if not isinstance(region_code, str):
        raise IndicatorError("region", "区划代码必须是12位数字")
    try:
        level = region_level(region_code)
    except ValueError:
        raise IndicatorError("region", "区划代码必须是12位数字") from None
    if level not in LEVELS:
        raise IndicatorError("region", "只能查询县、乡镇或行政村的指标")
    region = regions_in_scope(user=SYSTEM).get(code=region_code)  # DoesNotExist when there is none
    scope = Scope.of(user)
    if not scope.unrestricted:
        if user is None or not getattr(user, "is_authenticated", False):
            raise PermissionDenied("未登录")
        bank_only = scope.bank_id is not None and not scope.region_prefixes
        if not bank_only and not scope.covers(region.code):
            raise PermissionDenied("该区域不在您的管辖范围内")
    bank_id = getattr(bank, "pk", bank)
    if bank_id is not None and (isinstance(bank_id, bool) or not isinstance(bank_id, int)):
        raise IndicatorError("bank", "银行不存在")
    if scope.bank_id is not None and not scope.unrestricted:
        if bank_id is not None and bank_id != scope.bank_id:
            raise PermissionDenied("只能查看本行的指标")
        bank_id = scope.bank_id
    if bank_id is not None and not bank_list().filter(pk=bank_id).exists():
        raise IndicatorError("bank", "银行不存在")
    return region.code, level, bank_id


# --- figures ---------------------------------------------------------------------------------------


def _key(prefix: str) -> str:
    return prefix.ljust(12, "0")


def _loans(prefix: str, bank_id: int | None, extra: Q | None = None):
    qs = loans_visible(user=SYSTEM).filter(region_code__startswith=prefix)
    if bank_id is not None:
        qs = qs.filter(bank_id=bank_id)
    return qs.filter(extra) if extra is not None else qs


def _balances_from_aggregates(prefix: str, level: str, as_of: dt.date, bank_id: int | None,
                              children: bool) -> dict[str, dict]:
    q = Q(level=level, code=prefix)
    if children and level in CHILD_LEVEL:
        q |= Q(level=CHILD_LEVEL[level], code__startswith=prefix)
    rows = Aggregate.objects.filter(q, as_of=as_of, bank_id=bank_id or 0).values_list(
        "code", "loans", "households", "balance", "overdue_balance", "npl_balance")
    return {c: {"loans_outstanding": n, "households_outstanding": h, "balance": b, "overdue_balance": o,
                "npl_balance": npl} for c, n, h, b, o, npl in rows}


def _state_rows(as_of: dt.date):
    """The close's per-loan states of ``as_of`` (latest close: LoanDayState; else the month-end snapshot)
    and the name of their loan-id column."""
    latest = available_dates()[0]
    if as_of == latest and LoanDayState.objects.filter(as_of=as_of).exists():
        return LoanDayState.objects.filter(as_of=as_of), "loan_id"
    return LoanMonthSnapshot.objects.filter(as_of=as_of), "loan_id_value"


def _balances_from_states(prefix: str, as_of: dt.date, loan_ids) -> dict[str, dict]:
    """Like ``_balances_from_aggregates`` for a subset of loans (a breakdown group): parent only."""
    qs, id_col = _state_rows(as_of)
    qs = qs.filter(region_code__startswith=prefix, principal_outstanding__gt=0, **{f"{id_col}__in": loan_ids})
    r = qs.aggregate(
        loans_outstanding=Count("pk"), households_outstanding=Count("household_id", distinct=True),
        balance=Sum("principal_outstanding"),
        overdue_balance=Sum(Case(When(days_past_due__gt=0, then=F("principal_outstanding")), default=Value(0))),
        npl_balance=Sum(Case(When(classification__in=sorted(NPL_CLASSES), then=F("principal_outstanding")),
                             default=Value(0))))
    return {prefix: {k: v or 0 for k, v in r.items()}}


def _grouped(qs, width: int, **aggs) -> dict[str, dict]:
    rows = qs.annotate(c=Substr("region_code", 1, width)).values("c").annotate(**aggs).order_by()
    return {r.pop("c"): {k: v or 0 for k, v in r.items()} for r in rows}


def _width(prefix: str, level: str, children: bool) -> int:
    return PREFIX_LENGTH[CHILD_LEVEL[level]] if children and level in CHILD_LEVEL else len(prefix)


def _loan_figures(prefix: str, level: str, as_of: dt.date, bank_id: int | None, extra: Q | None,
                  children: bool) -> dict[str, dict]:
    """Per prefix (the region and its children): borrowed-ever households, cumulative amount and count,
    due and repaid on time in the period."""
    width = _width(prefix, level, children)
    out: dict[str, dict] = {}
    disbursed = _loans(prefix, bank_id, extra).filter(disbursed_on__lte=as_of)
    for src in (_grouped(disbursed, width, households_borrowed_ever=Count("household_id", distinct=True),
                         cumulative_amount=Sum("principal"), cumulative_loans=Count("id")),):
        for c, d in src.items():
            out.setdefault(c, {}).update(d)
    if width != len(prefix):  # the parent's households: distinct over the region, not the sum of children
        parent = disbursed.aggregate(households_borrowed_ever=Count("household_id", distinct=True),
                                     cumulative_amount=Sum("principal"), cumulative_loans=Count("id"))
        out.setdefault(prefix, {}).update({k: v or 0 for k, v in parent.items()})
    first, last = rules.period_of(as_of)
    due = _loans(prefix, bank_id, extra).filter(
        installments__due_date__gte=first, installments__due_date__lte=last,
        installments__schedule_version=F("schedule_version"))
    amount = F("installments__principal") + F("installments__interest")
    period = _grouped(due, width, due_in_period=Sum(amount),
                      repaid_on_time_in_period=Sum(Case(
                          When(installments__paid_off_on__lte=F("installments__due_date"), then=amount),
                          default=Value(0), output_field=IntegerField())))
    for c, d in period.items():
        out.setdefault(c, {}).update(d)
    if width != len(prefix):
        total = {"due_in_period": 0, "repaid_on_time_in_period": 0}
        for d in period.values():
            for k in total:
                total[k] += d[k]
        out.setdefault(prefix, {}).update(total)
    return out


def _eligible(prefix: str, level: str, as_of: dt.date, children: bool) -> dict[str, int]:
    statuses = _eligible_statuses(as_of)
    width = _width(prefix, level, children)
    qs = households_in_scope(user=SYSTEM).filter(region_code__startswith=prefix, status__in=statuses, is_wubao=False)
    counts = {c: d["n"] for c, d in _grouped(qs, width, n=Count("id")).items()}
    if width != len(prefix):
        counts[prefix] = sum(counts.values())
    return counts


def _build(code: str, level: str, as_of: dt.date, bank_id: int | None, figures: dict, names: dict,
           **extra) -> Indicators:
    values = ZERO | figures
    return Indicators(region=code, region_name=names.get(code, code), level=level, as_of=as_of, bank_id=bank_id,
                      period=rules.period_of(as_of), **values, **extra)


def _figures(prefix: str, level: str, as_of: dt.date, bank_id: int | None, extra: Q | None = None,
             loan_ids=None, children: bool = True) -> dict[str, dict]:
    """{prefix: figures} of the region (and, with ``children``, of each child region).

    Balances: the close's Aggregate rows (a breakdown group: its per-loan states). The other figures:
    the close's IndicatorFigure rows when it kept them for ``as_of`` (no loan filter but the bank),
    else the live queries — the same definitions (``compute_figures`` vs ``_loan_figures``)."""
    merged: dict[str, dict] = {}
    balances = (_balances_from_aggregates(prefix, level, as_of, bank_id, children) if loan_ids is None
                else _balances_from_states(prefix, as_of, loan_ids))
    kept = _kept_figures(prefix, level, as_of, bank_id, children) if extra is None and loan_ids is None else None
    if kept is not None:
        sources = (balances, kept)
    else:
        eligible = {c: {"households_eligible": n} for c, n in _eligible(prefix, level, as_of, children).items()}
        sources = (balances, _loan_figures(prefix, level, as_of, bank_id, extra, children), eligible)
    for src in sources:
        for c, d in src.items():
            merged.setdefault(c, {}).update(d)
    return merged


def _groups(by: str, prefix: str, bank_id: int | None, as_of: dt.date) -> list[tuple[str, str, Q]]:
    """(key, label, loan filter) of each group of a breakdown that has loans in the region."""
    loans = _loans(prefix, bank_id).filter(disbursed_on__lte=as_of)
    if by == "bank":
        ids = set(loans.values_list("bank_id", flat=True).distinct().order_by())
        return [(b.code, str(b), Q(bank_id=b.pk)) for b in bank_list().filter(pk__in=ids).order_by("code")]
    column = {"industry": "industry", "usage_mode": "usage_mode", "policy_era": "policy_era"}[by]
    keys = sorted(set(loans.values_list(column, flat=True).distinct().order_by()))
    labels = {"usage_mode": dict(_UsageMode.choices), "policy_era": era_names()}.get(by, {})
    return [(k, str(labels.get(k, k)) or "未填写", Q(**{column: k})) for k in keys]


def indicators(*, user, region_code: str, as_of: dt.date | None, bank=None, by: str | None = None) -> Indicators:
    """The DOMAIN §9 indicators of ``region_code`` (a county, township or village, 12 digits) on
    ``as_of`` (None: the latest close), with its children; optionally one bank (id or Bank), and
    optionally a breakdown ``by`` one of :data:`BREAKDOWNS` (bank, industry, usage mode — 分贷统还
    is its own mode —, policy era) in ``breakdown``.

    Raises: Region.DoesNotExist (no such region), PermissionDenied (outside the user's scope, another
    bank), IndicatorError (a bad code, a date without data — naming the nearest dates, a bad ``by``).
    """
    if by is not None and by not in BREAKDOWNS:
        raise IndicatorError("by", f"分组只能是：{'、'.join(BREAKDOWNS.values())}")
    code, level, bank_id = _resolve(user, region_code, bank)
    as_of = check_as_of(as_of)
    prefix = code[:PREFIX_LENGTH[level]]
    figures = _figures(prefix, level, as_of, bank_id)
    child_keys = sorted(k for k in figures if k != prefix)
    if level in CHILD_LEVEL:  # every child region, also those with no data
        child_level = CHILD_LEVEL[level]
        known = regions_in_scope(user=SYSTEM, level=child_level).filter(code__startswith=prefix)
        child_keys = sorted(set(child_keys) | {c[:PREFIX_LENGTH[child_level]] for c in
                                               known.values_list("code", flat=True)})
    names = region_names([code] + [_key(k) for k in child_keys])
    children = tuple(_build(_key(k), CHILD_LEVEL[level], as_of, bank_id, figures.get(k, {}), names)
                     for k in child_keys) if level in CHILD_LEVEL else ()
    breakdown: tuple[Indicators, ...] = ()
    if by:
        rows = []
        for key, label, q in _groups(by, prefix, bank_id, as_of):
            if by == "bank":  # the close's per-bank Aggregate rows
                g_bank = q.children[0][1]
                f = _figures(prefix, level, as_of, g_bank, children=False)
            else:
                g_bank = bank_id
                f = _figures(prefix, level, as_of, bank_id, q, loan_ids=_loans(prefix, bank_id, q).values("id"),
                             children=False)
            rows.append(_build(code, level, as_of, g_bank, f.get(prefix, {}), names, group=key, group_label=label))
        breakdown = tuple(rows)
    top = _build(code, level, as_of, bank_id, figures.get(prefix, {}), names, children=children,
                 breakdown=breakdown, by=by or "")
    return top


# --- maturity ladder -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LadderMonth:
    first: dt.date
    last: dt.date
    principal: int  # fen still to be repaid, due in the month
    loans: int


def maturity_ladder(*, user, region_code: str, as_of: dt.date | None, bank=None,
                    months: int = 12) -> list[LadderMonth]:
    """到期分布 (DOMAIN §9): principal due per calendar month for the ``months`` months after ``as_of``
    (the first month from ``as_of`` + 1 day): the unpaid principal of the current schedule's
    instalments of the loans active now, one GROUP BY over the instalments' due month — or the
    close's LadderFigure rows when it kept them for ``as_of`` (:func:`record_ladder`, same definition,
    as of the close)."""
    code, level, bank_id = _resolve(user, region_code, bank)
    as_of = check_as_of(as_of)
    buckets = rules.ladder_months(as_of, months)
    prefix = code[:PREFIX_LENGTH[level]]
    kept = _kept_ladder(prefix, level, as_of, bank_id, buckets)
    if kept is not None:
        return kept
    qs = _loans(prefix, bank_id).filter(
        status="active", installments__due_date__gte=buckets[0][0], installments__due_date__lte=buckets[-1][1],
        installments__schedule_version=F("schedule_version"), installments__paid_off_on__isnull=True)
    rows = (qs.annotate(y=ExtractYear("installments__due_date"), m=ExtractMonth("installments__due_date"))
            .values("y", "m").annotate(p=Sum(F("installments__principal") - F("installments__principal_paid")),
                                       n=Count("id", distinct=True)).order_by())
    by_month = {(r["y"], r["m"]): (r["p"] or 0, r["n"]) for r in rows}
    out = []
    for first, last in buckets:
        p, n = by_month.get((first.year, first.month), (0, 0))
        out.append(LadderMonth(first, last, p, n))
    return out


# --- year-to-date on-time recovery (the fourth breaker, the reward fund) ----------------------------------


def due_by_month(start: dt.date, end: dt.date, prefix: str = "", width: int = 12) -> dict[tuple[str, int, int], tuple[int, int]]:
    """{(region prefix, year, month): (due, repaid on time)} of the current schedules' instalments due
    in [start, end] (principal + interest; on time = paid off on or before the due date), one GROUP BY."""
    qs = loans_visible(user=SYSTEM).filter(
        region_code__startswith=prefix, installments__due_date__gte=start, installments__due_date__lte=end,
        installments__schedule_version=F("schedule_version"))
    amount = F("installments__principal") + F("installments__interest")
    rows = (qs.annotate(c=Substr("region_code", 1, width), y=ExtractYear("installments__due_date"),
                        m=ExtractMonth("installments__due_date"))
            .values("c", "y", "m")
            .annotate(due=Sum(amount), on_time=Sum(Case(
                When(installments__paid_off_on__lte=F("installments__due_date"), then=amount),
                default=Value(0), output_field=IntegerField())))
            .order_by())
    return {(r["c"], r["y"], r["m"]): (r["due"] or 0, r["on_time"] or 0) for r in rows}


def recovery_at_month_ends(month_ends: list[dt.date], prefix: str = "") -> list[Recovery]:
    """年内到期贷款按期收回率 figures (DOMAIN §8, [S2 道县]) of every village (12-digit code) and township
    (9-digit code) under ``prefix`` at each of ``month_ends``: due from 1 January of the month end's year
    through the month end, and the part repaid on time. Stable over time (a later payment is late)."""
    if not month_ends:
        return []
    start = dt.date(min(month_ends).year, 1, 1)
    cells = due_by_month(start, max(month_ends), prefix)
    out: list[Recovery] = []
    for end in month_ends:
        totals: dict[str, list[int]] = {}
        for (code, y, m), (due, on_time) in cells.items():
            if y == end.year and m <= end.month:
                for key in (code, code[:9]):
                    t = totals.setdefault(key, [0, 0])
                    t[0] += due
                    t[1] += on_time
        out.extend(Recovery(code, end, due, on_time) for code, (due, on_time) in sorted(totals.items()))
    return out


# --- figures kept by the close (fast reads) --------------------------------------------------------------

AGG_WIDTHS = {"village": 12, "township": 9, "county": 6}
FIGURE_FIELDS = ("households_eligible", "households_borrowed_ever", "cumulative_amount", "cumulative_loans",
                 "due_in_period", "repaid_on_time_in_period")


def _eligible_statuses(day: dt.date) -> tuple[str, ...]:
    era = policy_era_on(day)
    return tuple(era.eligible_statuses) if era is not None else tuple(DEFAULT_ELIGIBLE_STATUSES)


def compute_figures(day: dt.date) -> dict[tuple[str, str, int], dict[str, int]]:
    """{(level, code prefix, bank id or 0): FIGURE_FIELDS} of every village, township and county on
    ``day``, by the same definitions as the live queries (a handful of GROUP BYs; additive figures
    are rolled up from village × bank cells, distinct households counted per level)."""
    out: dict[tuple[str, str, int], dict[str, int]] = {}

    def row(key):
        return out.setdefault(key, dict.fromkeys(FIGURE_FIELDS, 0))

    disbursed = loans_visible(user=SYSTEM).filter(disbursed_on__lte=day)
    for level, width in AGG_WIDTHS.items():
        for keys in (("c",), ("c", "bank_id")):
            rows = (disbursed.annotate(c=Substr("region_code", 1, width)).values(*keys)
                    .annotate(h=Count("household_id", distinct=True), a=Sum("principal"), n=Count("id")).order_by())
            for r in rows:
                row((level, r["c"], r.get("bank_id", 0))).update(
                    households_borrowed_ever=r["h"], cumulative_amount=r["a"] or 0, cumulative_loans=r["n"])
    first, last = rules.period_of(day)
    amount = F("installments__principal") + F("installments__interest")
    cells = (loans_visible(user=SYSTEM)
             .filter(installments__due_date__gte=first, installments__due_date__lte=last,
                     installments__schedule_version=F("schedule_version"))
             .annotate(c=Substr("region_code", 1, 12)).values("c", "bank_id")
             .annotate(due=Sum(amount), on_time=Sum(Case(
                 When(installments__paid_off_on__lte=F("installments__due_date"), then=amount),
                 default=Value(0), output_field=IntegerField())))
             .order_by())
    for r in cells:
        for level, width in AGG_WIDTHS.items():
            for bank in (0, r["bank_id"]):
                x = row((level, r["c"][:width], bank))
                x["due_in_period"] += r["due"] or 0
                x["repaid_on_time_in_period"] += r["on_time"] or 0
    households = households_in_scope(user=SYSTEM).filter(status__in=_eligible_statuses(day), is_wubao=False)
    eligible: dict[tuple[str, str], int] = {}
    for r in (households.annotate(c=Substr("region_code", 1, 12)).values("c").annotate(n=Count("id")).order_by()):
        for level, width in AGG_WIDTHS.items():
            eligible[(level, r["c"][:width])] = eligible.get((level, r["c"][:width]), 0) + r["n"]
    for level, code in eligible:
        row((level, code, 0))
    for (level, code, _bank), x in out.items():
        x["households_eligible"] = eligible.get((level, code), 0)
    return out


def _drop_stale(model, day: dt.date) -> None:
    """Keep the latest close and the month ends: drop ``model``'s rows of earlier dates that are not month ends."""
    older = set(model.objects.filter(as_of__lt=day).values_list("as_of", flat=True).distinct().order_by())
    stale = [d for d in older if not rules.is_month_end(d)]
    if stale:
        model.objects.filter(as_of__in=stale).delete()


def record_figures(day: dt.date) -> None:
    """After-close step (``core.panels.register_after_close``): replace ``day``'s IndicatorFigure rows and
    drop the rows of earlier dates that are not month ends (kept: the latest close and the month ends);
    the same for the maturity ladder's rows (:func:`record_ladder`)."""
    figures = compute_figures(day)
    IndicatorFigure.objects.filter(as_of=day).delete()
    IndicatorFigure.objects.bulk_create(
        [IndicatorFigure(as_of=day, level=level, code=code, bank_id=bank, **values)
         for (level, code, bank), values in figures.items()], batch_size=2000)
    _drop_stale(IndicatorFigure, day)
    record_ladder(day)


LADDER_MONTHS = 12


def compute_ladder(day: dt.date) -> dict[tuple[str, str, int, dt.date], tuple[int, int]]:
    """{(level, code prefix, bank id or 0, first of the month): (unpaid principal, loans)} of every
    village, township and county for the :data:`LADDER_MONTHS` months after ``day``, by the live
    ladder's definition: one GROUP BY over (village, bank, due month), rolled up (exact: a loan lives
    in one village and one bank, so its distinct count adds up)."""
    buckets = rules.ladder_months(day, LADDER_MONTHS)
    cells = (loans_visible(user=SYSTEM)
             .filter(status="active", installments__due_date__gte=buckets[0][0],
                     installments__due_date__lte=buckets[-1][1],
                     installments__schedule_version=F("schedule_version"), installments__paid_off_on__isnull=True)
             .annotate(c=Substr("region_code", 1, 12), y=ExtractYear("installments__due_date"),
                       m=ExtractMonth("installments__due_date"))
             .values("c", "bank_id", "y", "m")
             .annotate(p=Sum(F("installments__principal") - F("installments__principal_paid")),
                       n=Count("id", distinct=True))
             .order_by())
    out: dict[tuple[str, str, int, dt.date], list[int]] = {}
    for r in cells:
        month = dt.date(r["y"], r["m"], 1)
        for level, width in AGG_WIDTHS.items():
            for bank in (0, r["bank_id"]):
                x = out.setdefault((level, r["c"][:width], bank, month), [0, 0])
                x[0] += r["p"] or 0
                x[1] += r["n"]
    return {k: (p, n) for k, (p, n) in out.items()}


def record_ladder(day: dt.date) -> None:
    """Replace ``day``'s LadderFigure rows and drop those of earlier dates that are not month ends
    (kept: the latest close and the month ends, like IndicatorFigure)."""
    ladder = compute_ladder(day)
    LadderFigure.objects.filter(as_of=day).delete()
    LadderFigure.objects.bulk_create(
        [LadderFigure(as_of=day, level=level, code=code, bank_id=bank, month=month, principal=p, loans=n)
         for (level, code, bank, month), (p, n) in ladder.items()], batch_size=2000)
    _drop_stale(LadderFigure, day)


def _kept_ladder(prefix: str, level: str, as_of: dt.date, bank_id: int | None,
                 buckets: list[tuple[dt.date, dt.date]]) -> list[LadderMonth] | None:
    """The ladder from the LadderFigure rows of ``as_of``, or None when the close kept none (or the
    buckets reach past the months it keeps)."""
    if len(buckets) > LADDER_MONTHS:
        return None
    if not LadderFigure.objects.filter(as_of=as_of).exists():
        return None
    rows = LadderFigure.objects.filter(as_of=as_of, level=level, code=prefix, bank_id=bank_id or 0)
    by_month = {month: (p, n) for month, p, n in rows.values_list("month", "principal", "loans")}
    return [LadderMonth(first, last, *by_month.get(first.replace(day=1), (0, 0))) for first, last in buckets]


def _kept_figures(prefix: str, level: str, as_of: dt.date, bank_id: int | None, children: bool) -> dict | None:
    """{prefix: figures} from the IndicatorFigure rows of ``as_of``, or None when the close kept none."""
    if not IndicatorFigure.objects.filter(as_of=as_of).exists():
        return None
    q = Q(level=level, code=prefix)
    if children and level in CHILD_LEVEL:
        q |= Q(level=CHILD_LEVEL[level], code__startswith=prefix)
    rows = IndicatorFigure.objects.filter(q, as_of=as_of)
    out: dict[str, dict] = {}
    for code, *values in rows.filter(bank_id=bank_id or 0).values_list("code", *FIGURE_FIELDS):
        out[code] = dict(zip(FIGURE_FIELDS, values))
    if bank_id:  # eligible households do not depend on the bank: the region's
        for code, n in rows.filter(bank_id=0).values_list("code", "households_eligible"):
            out.setdefault(code, dict.fromkeys(FIGURE_FIELDS, 0))["households_eligible"] = n
    return out
