"""Reads behind the monitoring pages (issue #12 items 1 and 8): where the reader stands in the drill-down
county → township → village, which close date and bank, and the figures of that place — all from the
close's ``Aggregate`` rows and month-end snapshots (a handful of grouped queries, never a loop over loans).

The place is ``?region=CODE`` (6 digits a county, 9 a township, 12 a village — the codes of the
``Aggregate`` rows), the date ``?date=YYYY-MM-DD`` (the latest close or a kept month end), the bank
``?bank=ID``. A bad value is a ``DomainError`` naming the parameter (a Chinese 400 page); a place outside
the reader's scope is ``OutOfScope`` (the views answer 404).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.db.models.functions import Substr, TruncMonth
from django.utils.translation import gettext

from microcredit.apps.accounts.scope import SYSTEM, Scope
from microcredit.apps.core.params import date_param, digits_param, int_param
from microcredit.apps.loans.selectors import PAYMENT_EVENT_KINDS, loan_events_after, loan_list
from microcredit.apps.monitoring.indicators import available_dates, indicators, maturity_ladder
from microcredit.apps.monitoring.models import Aggregate, LoanDayState, LoanMonthSnapshot
from microcredit.apps.reference.selectors import bank_list
from microcredit.apps.regions.selectors import region_names, regions_in_scope
from microcredit.domain.classification import CLASS_LABELS, CLASSES
from microcredit.domain.errors import DomainError
from microcredit.domain.indicators import is_month_end
from microcredit.domain.monitoring import LIGHT_LABELS, LIGHTS
from microcredit.domain.regions import LEVEL_LABELS

LEVEL_OF_LENGTH = {6: "county", 9: "township", 12: "village"}
CHILD_LEVEL = {"county": "township", "township": "village"}
MONTH_ENDS_SHOWN = 24  # month ends offered in the date selector (any kept one may be asked for)


class OutOfScope(Exception):
    """The region asked for lies outside the reader's scope (or does not exist): the views answer 404."""


@dataclass
class Place:
    """Where the reader stands: the region (code of its level's width), the date and the bank (0 = all)."""

    code: str
    level: str
    name: str
    as_of: dt.date | None
    bank_id: int
    bank_name: str = ""
    trail: list[tuple[str, str]] = field(default_factory=list)  # (code, name) from the top the reader may open
    dates: list[dt.date] = field(default_factory=list)
    banks: list = field(default_factory=list)
    bank_fixed: bool = False

    @property
    def dates_shown(self) -> list[dt.date]:
        shown = self.dates[:MONTH_ENDS_SHOWN + 1]
        return shown if self.as_of in shown or self.as_of is None else [*shown, self.as_of]

    @property
    def child_level(self) -> str | None:
        return CHILD_LEVEL.get(self.level)

    @property
    def level_label(self) -> str:
        return gettext(LEVEL_LABELS[self.level])

    @property
    def is_latest(self) -> bool:
        return bool(self.dates) and self.as_of == self.dates[0]


def close_dates() -> list[dt.date]:
    """The dates one may look at (the indicators' rule): the latest close first, then the kept month
    ends, newest first."""
    return available_dates()


def _covers(scope: Scope, code: str) -> bool:
    if scope.unrestricted or (scope.bank_id is not None and not scope.region_prefixes):
        return True  # a bank user without regions sees its bank's loans everywhere (loans.selectors)
    return scope.covers(code)


def _home(scope: Scope) -> str | None:
    """The place a reader starts at: the county for the county-wide, its own region otherwise."""
    if scope.region_prefixes and not scope.unrestricted:
        first = scope.region_prefixes[0]
        width = max((w for w in LEVEL_OF_LENGTH if w <= len(first)), default=None)
        return first[:width] if width else None
    county = Aggregate.objects.filter(level="county", bank_id=0).order_by("-as_of", "code").values_list(
        "code", flat=True).first()
    return county


def place_of(user, params) -> Place:
    """The place asked for by ``params`` (a QueryDict), checked against ``user``'s scope."""
    scope = Scope.of(user)
    code = digits_param(params, "region", lengths=(6, 9, 12))
    if code is None:
        code = _home(scope)
        if code is None:
            raise OutOfScope()
    if not _covers(scope, code):
        raise OutOfScope()
    names = region_names([code[:6], code[:9], code])
    if code.ljust(12, "0") not in set(regions_in_scope(user=SYSTEM).filter(code=code.ljust(12, "0"))
                                      .values_list("code", flat=True)):
        raise OutOfScope()
    trail = [(c, names[c]) for c in dict.fromkeys((code[:6], code[:9], code)) if len(c) <= len(code)
             and _covers(scope, c)]

    dates = close_dates()
    as_of = date_param(params, "date")
    if as_of is None:
        as_of = dates[0] if dates else None
    elif as_of not in dates:
        raise DomainError("date", "该日期没有可查看的日终数据，请选最近一次日终或月末日期")

    banks = list(bank_list().prefetch_related(None).order_by("code"))
    bank_fixed = scope.bank_id is not None and not scope.unrestricted
    if bank_fixed:
        bank_id = scope.bank_id
    else:
        bank_id = int_param(params, "bank") or 0
        if bank_id and bank_id not in {b.pk for b in banks}:
            raise DomainError("bank", "没有这家银行")
    bank_name = next((b.short_name or b.name for b in banks if b.pk == bank_id), "")
    return Place(code=code, level=LEVEL_OF_LENGTH[len(code)], name=names[code], as_of=as_of, bank_id=bank_id,
                 bank_name=bank_name, trail=trail, dates=dates, banks=banks, bank_fixed=bank_fixed)


# ---- figures: the indicators (one definition, monitoring.indicators) and the Aggregate rows ----


def figures(user, place: Place):
    """The DOMAIN §9 indicators of the place at the date (``monitoring.indicators``), or None before any close."""
    if place.as_of is None:
        return None
    return indicators(user=user, region_code=place.code.ljust(12, "0"), as_of=place.as_of,
                      bank=place.bank_id or None)


def ladder(user, place: Place) -> list:
    """到期分布 for the 12 months after the date (``monitoring.indicators.maturity_ladder``)."""
    if place.as_of is None:
        return []
    return maturity_ladder(user=user, region_code=place.code.ljust(12, "0"), as_of=place.as_of,
                           bank=place.bank_id or None)


def _aggregates(place: Place):
    return Aggregate.objects.filter(as_of=place.as_of, bank_id=place.bank_id)


def region_row(place: Place) -> Aggregate | None:
    """The place's own row at the date (None: no loan there)."""
    if place.as_of is None:
        return None
    return _aggregates(place).filter(level=place.level, code=place.code).first()


def child_rows(user, place: Place) -> list[tuple[str, Aggregate]]:
    """(name, row) of the place's townships or villages in the reader's scope, by code."""
    if place.as_of is None or place.child_level is None:
        return []
    scope = Scope.of(user)
    qs = _aggregates(place).filter(level=place.child_level, code__startswith=place.code).order_by("code")
    rows = [r for r in qs if _covers(scope, r.code)]
    names = region_names([r.code for r in rows])
    return [(names[r.code], r) for r in rows]


def balance_trend(place: Place) -> list[Aggregate]:
    """The place's rows at the kept month ends up to the date (oldest first, at most 12)."""
    if place.as_of is None:
        return []
    ends = [d for d in place.dates if is_month_end(d) and d <= place.as_of][:12]
    if place.as_of not in ends:
        ends = [place.as_of, *ends[:11]]
    return list(Aggregate.objects.filter(as_of__in=ends, level=place.level, code=place.code,
                                         bank_id=place.bank_id).order_by("as_of"))


def _states(place: Place):
    """Per-loan states at the date: the current ones at the latest close, the snapshot at a month end."""
    if place.is_latest:
        qs = LoanDayState.objects.all()
    else:
        qs = LoanMonthSnapshot.objects.filter(as_of=place.as_of)
    qs = qs.filter(region_code__startswith=place.code, principal_outstanding__gt=0)
    return qs.filter(bank_id=place.bank_id) if place.bank_id else qs


def classification_rows(place: Place) -> list[dict]:
    """五级分类 distribution at the date: class, label, loans, balance (one grouped query)."""
    if place.as_of is None:
        return []
    got = {r["classification"]: r for r in _states(place).values("classification").annotate(
        loans=Count("pk"), balance=Sum("principal_outstanding"))}
    return [{"code": c, "label": CLASS_LABELS[c], "loans": got.get(c, {}).get("loans", 0),
             "balance": got.get(c, {}).get("balance", 0) or 0} for c in CLASSES]


def light_rows(row: Aggregate | None) -> list[dict]:
    return [{"code": k, "label": LIGHT_LABELS[k], "loans": getattr(row, k, 0) if row else 0} for k in LIGHTS]


def _months_back(as_of: dt.date, n: int = 12) -> list[dt.date]:
    """First days of the ``n`` months ending with ``as_of``'s month, oldest first."""
    y, m = as_of.year, as_of.month
    out = []
    for _ in range(n):
        out.append(dt.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def monthly_flows(user, place: Place) -> list[dict]:
    """Disbursed and repaid amounts per month for the 12 months up to the date (two grouped queries)."""
    if place.as_of is None:
        return []
    months = _months_back(place.as_of)
    start, end = months[0], place.as_of
    loans = loan_list(user=user, region=place.code, bank=place.bank_id or None).filter(
        disbursed_on__range=(start, end))
    lent = {r["m"]: r for r in loans.order_by().annotate(m=TruncMonth("disbursed_on")).values("m").annotate(
        amount=Sum("principal"), n=Count("id"))}
    events = loan_events_after(0).effective().filter(kind__in=PAYMENT_EVENT_KINDS, on__range=(start, end),
                                                     loan__region_code__startswith=place.code)
    if place.bank_id:
        events = events.filter(loan__bank_id=place.bank_id)
    paid = {r["m"]: r["amount"] for r in events.order_by().annotate(m=TruncMonth("on")).values("m").annotate(
        amount=Sum("amount"))}

    lent = {_as_date(k): r for k, r in lent.items()}
    paid = {_as_date(k): v for k, v in paid.items()}
    out = []
    for m in months:
        got = lent.get(m) or {}
        out.append({"month": m, "disbursed": got.get("amount") or 0, "loans": got.get("n", 0),
                    "repaid": paid.get(m) or 0})
    return out


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def bars(values: list[int]) -> list[int]:
    """Bar heights in percent of the largest value (display only; 0 when all are 0)."""
    top = max(values, default=0)
    return [round(v * 100 / top) if top > 0 else 0 for v in values]


# ---- the lists to act on ------------------------------------------------------------------------


def loans_lit(user, place: Place, light: str):
    """Loans with ``light`` at the date in the place (a queryset of loans, worst first): at the latest close
    through the loan list's light filter, at a month end through that month's snapshot."""
    if place.is_latest:
        # The day state filtered by the same prefix too: its (warning_light, region_code) index then finds the
        # place's lit loans directly instead of probing the day state of every loan of the place.
        qs = loan_list(user=user, region=place.code, bank=place.bank_id or None, light=light).filter(
            day_state__region_code__startswith=place.code)
    else:
        ids = _states(place).filter(warning_light=light).values("loan_id_value")
        qs = loan_list(user=user, region=place.code, bank=place.bank_id or None, ids=ids)
    return qs.order_by("-days_past_due", "maturity_date", "id")


def loans_in(user, place: Place):
    """The place's loans with a balance (a village's list at the bottom of the drill-down)."""
    return loan_list(user=user, region=place.code, bank=place.bank_id or None).filter(
        principal_outstanding__gt=0).select_related("day_state").order_by("household__head_name", "id")


def snapshot_states(place: Place, loan_ids: list[int]) -> dict[int, object]:
    """The month-end state of these loans (loan id → snapshot row), for lists at a past date."""
    if place.is_latest or not loan_ids:
        return {}
    return {s.loan_id_value: s for s in LoanMonthSnapshot.objects.filter(as_of=place.as_of,
                                                                          loan_id_value__in=loan_ids)}


# ---- the ranking 周点评/月通报 -------------------------------------------------------------------


def period_bounds(as_of: dt.date, period: str) -> tuple[dt.date, dt.date]:
    """(first day of the period ending ``as_of``, the end of the period before): a month runs from the
    first of ``as_of``'s month, a week is the 7 days ending ``as_of``."""
    if period == "week":
        return as_of - dt.timedelta(days=6), as_of - dt.timedelta(days=7)
    first = as_of.replace(day=1)
    return first, first - dt.timedelta(days=1)


def ranking_rows(user, place: Place, start: dt.date, previous: dt.date) -> dict[str, list[dict]]:
    """The place's townships (or villages) and banks with their rows at the date and at the end of the
    period before, and the loans disbursed in the period (four grouped queries and two small reads)."""
    scope = Scope.of(user)
    child, width = place.child_level, {"township": 9, "village": 12}[place.child_level]
    regions = [r for r in regions_in_scope(user=SYSTEM, level=child).filter(code__startswith=place.code).order_by("code")
               if _covers(scope, r.code[:width])]
    rows = Aggregate.objects.filter(as_of__in=(place.as_of, previous), level=child, code__startswith=place.code,
                                    bank_id=place.bank_id)
    now = {r.code: r for r in rows if r.as_of == place.as_of}
    before = {r.code: r for r in rows if r.as_of == previous}
    lent = loan_list(user=user, region=place.code, bank=place.bank_id or None).filter(
        disbursed_on__range=(start, place.as_of)).order_by()
    by_region = {r["c"]: r for r in lent.annotate(c=Substr("region_code", 1, width)).values("c").annotate(
        amount=Sum("principal"), n=Count("id"))}
    out_regions = [{"code": r.code[:width], "name": r.name, "row": now.get(r.code[:width]),
                    "before": before.get(r.code[:width]),
                    "new_amount": (by_region.get(r.code[:width]) or {}).get("amount") or 0,
                    "new_loans": (by_region.get(r.code[:width]) or {}).get("n", 0)} for r in regions]

    banks = [b for b in place.banks if not place.bank_id or b.pk == place.bank_id]
    brows = Aggregate.objects.filter(as_of__in=(place.as_of, previous), level=place.level, code=place.code,
                                     bank_id__in=[b.pk for b in banks])
    bnow = {r.bank_id: r for r in brows if r.as_of == place.as_of}
    bbefore = {r.bank_id: r for r in brows if r.as_of == previous}
    by_bank = {r["bank_id"]: r for r in lent.values("bank_id").annotate(amount=Sum("principal"), n=Count("id"))}
    out_banks = [{"code": b.pk, "name": b.short_name or b.name, "row": bnow.get(b.pk), "before": bbefore.get(b.pk),
                  "new_amount": (by_bank.get(b.pk) or {}).get("amount") or 0,
                  "new_loans": (by_bank.get(b.pk) or {}).get("n", 0)}
                 for b in banks if b.pk in bnow or b.pk in by_bank]
    return {"regions": out_regions, "banks": out_banks}


def year_new(user, place: Place) -> tuple[int, dict[str, int], dict[int, int]]:
    """累计新增 of the date's year (1 January through the date) in the place: the total, by township (or
    village) code and by bank id — the amounts the year's lending targets are measured by (two grouped queries)."""
    width = {"township": 9, "village": 12}.get(place.child_level or "", 12)
    lent = loan_list(user=user, region=place.code, bank=place.bank_id or None).filter(
        disbursed_on__range=(place.as_of.replace(month=1, day=1), place.as_of)).order_by()
    by_region = {r["c"]: r["amount"] or 0 for r in lent.annotate(c=Substr("region_code", 1, width)).values("c")
                 .annotate(amount=Sum("principal"))}
    by_bank = {r["bank_id"]: r["amount"] or 0 for r in lent.values("bank_id").annotate(amount=Sum("principal"))}
    return sum(by_bank.values()), by_region, by_bank


def rank(group: list[dict]) -> None:
    """Order ``group`` by 新增 (largest first) and number each by 新增 and by 逾期率 (lowest first; none last)."""
    group.sort(key=lambda r: (-r["new_amount"], r["code"] if isinstance(r["code"], str) else str(r["code"])))
    for i, r in enumerate(group, start=1):
        r["rank_new"] = i
    rated = sorted((r for r in group if r.get("overdue_rate") is not None), key=lambda r: r["overdue_rate"])
    for i, r in enumerate(rated, start=1):
        r["rank_overdue"] = i
