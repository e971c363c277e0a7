"""Monitoring API: the close's aggregates and the DOMAIN §9 indicators, scoped."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from ninja import Field, Router, Schema
from pydantic import TypeAdapter, ValidationError
from ninja.errors import HttpError

from microcredit.apps.core.clock import business_date
from microcredit.apps.core.api_types import Text, Yuan
from microcredit.apps.monitoring import selectors, targets
from microcredit.apps.monitoring.services import MAX_TARGET_ROWS, TargetError, targets_set
from microcredit.apps.monitoring.rewards import RewardError, rewards_for
from microcredit.apps.reference.selectors import bank_list
from microcredit.domain.bounds import bounded_date
from microcredit.domain.errors import DomainError
from microcredit.domain.indicators import ratio_str
from microcredit.domain.money import fen_to_yuan, yuan_to_fen

router = Router(tags=["监测"])


class AggregateOut(Schema):
    as_of: dt.date
    level: str
    code: str
    bank_id: int
    loans: int
    households: int
    balance: str
    overdue_balance: str
    npl_balance: str
    red: int
    yellow: int
    green: int


@router.get("/aggregates", response=list[AggregateOut])
def aggregates(request, level: str = "township"):
    if not request.user.has_perm("monitoring.view_close"):
        raise HttpError(403, "无权查看监测指标")
    return [{"as_of": r.as_of, "level": r.level, "code": r.code, "bank_id": r.bank_id, "loans": r.loans,
             "households": r.households, "balance": fen_to_yuan(r.balance),
             "overdue_balance": fen_to_yuan(r.overdue_balance), "npl_balance": fen_to_yuan(r.npl_balance), "red": r.red, "yellow": r.yellow, "green": r.green}
            for r in selectors.aggregates_for(request.user, level=level)]


# --- indicators (DOMAIN §9, issue #12 item 7) -----------------------------------------------------------


class IndicatorsOut(Schema):
    region: str
    region_name: str
    level: str
    as_of: dt.date
    bank: str | None = None
    group: str | None = None
    group_label: str | None = None
    households_eligible: int
    households_borrowed_ever: int
    access_rate: str | None
    loans_outstanding: int
    households_outstanding: int
    balance: str
    overdue_balance: str
    npl_balance: str
    overdue_ratio: str | None
    npl_ratio: str | None
    period_from: dt.date
    period_to: dt.date
    due_in_period: str
    repaid_on_time_in_period: str
    on_time_rate: str | None
    cumulative_amount: str
    cumulative_loans: int
    children: list[IndicatorsOut]
    breakdown: list[IndicatorsOut]


class LadderOut(Schema):
    month: str
    first: dt.date
    last: dt.date
    principal: str
    loans: int


def indicators_dict(ind: selectors.Indicators, banks: dict[int, str]) -> dict:
    """The API form of ``Indicators``: amounts as yuan strings, ratios as 4-place decimal strings (null when
    the denominator is 0)."""
    return {
        "region": ind.region, "region_name": ind.region_name, "level": ind.level, "as_of": ind.as_of,
        "bank": banks.get(ind.bank_id) if ind.bank_id else None,
        "group": ind.group or None, "group_label": ind.group_label or None,
        "households_eligible": ind.households_eligible, "households_borrowed_ever": ind.households_borrowed_ever,
        "access_rate": ratio_str(ind.access_rate), "loans_outstanding": ind.loans_outstanding,
        "households_outstanding": ind.households_outstanding, "balance": fen_to_yuan(ind.balance),
        "overdue_balance": fen_to_yuan(ind.overdue_balance), "npl_balance": fen_to_yuan(ind.npl_balance),
        "overdue_ratio": ratio_str(ind.overdue_ratio), "npl_ratio": ratio_str(ind.npl_ratio),
        "period_from": ind.period[0], "period_to": ind.period[1],
        "due_in_period": fen_to_yuan(ind.due_in_period),
        "repaid_on_time_in_period": fen_to_yuan(ind.repaid_on_time_in_period),
        "on_time_rate": ratio_str(ind.on_time_rate), "cumulative_amount": fen_to_yuan(ind.cumulative_amount),
        "cumulative_loans": ind.cumulative_loans,
        "children": [indicators_dict(c, banks) for c in ind.children],
        "breakdown": [indicators_dict(c, banks) for c in ind.breakdown],
    }


def _params(request, region: str, as_of: str | None, bank: str | None):
    """(region code, date, bank id) from the query string; bad values → IndicatorError (422, Chinese)."""
    if not request.user.has_perm("monitoring.view_close"):
        raise HttpError(403, "无权查看监测指标")
    region = (region or "").strip()
    if not (region.isascii() and region.isdigit() and len(region) == 12):
        raise selectors.IndicatorError("region", "区划代码必须是12位数字")
    day = None
    if as_of:
        if len(as_of) > 10:
            raise selectors.IndicatorError("as_of", "日期格式应为 YYYY-MM-DD")
        try:
            day = bounded_date(as_of, "as_of")
        except DomainError as exc:
            raise selectors.IndicatorError("as_of", exc.message) from None
    bank_id = None
    if bank:
        if len(bank) > 16:
            raise selectors.IndicatorError("bank", "银行代码不能超过16个字符")
        row = bank_list().filter(code=bank.strip()).values_list("pk", flat=True).first()
        if row is None:
            raise selectors.IndicatorError("bank", f"银行代码 {bank} 不存在")
        bank_id = row
    return region, day, bank_id


def _scoped(call):
    try:
        return call()
    except ObjectDoesNotExist:
        raise HttpError(404, "区划不存在") from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "无权查看该区域的指标") from None


@router.get("/indicators", response=IndicatorsOut)
def indicators(request, region: str = "", as_of: str | None = None, bank: str | None = None, by: str | None = None):
    """DOMAIN §9 indicators of a county/township/village (12-digit code) on a kept close date (the latest
    close or a month end; default the latest), optionally for one bank (its code) and broken down ``by``
    bank / industry / usage_mode / policy_era. Amounts in yuan, ratios with 4 decimals (half-up, null
    when nothing to divide by); the on-time rate's period is the calendar month of ``as_of`` up to it."""
    code, day, bank_id = _params(request, region, as_of, bank)
    if by is not None and by not in selectors.BREAKDOWNS:
        raise selectors.IndicatorError("by", f"分组只能是：{'、'.join(selectors.BREAKDOWNS)}")
    ind = _scoped(lambda: selectors.indicators(user=request.user, region_code=code, as_of=day, bank=bank_id, by=by))
    banks = dict(bank_list().values_list("pk", "code"))
    return indicators_dict(ind, banks)


@router.get("/indicators/ladder", response=list[LadderOut])
def ladder(request, region: str = "", as_of: str | None = None, bank: str | None = None):
    """到期分布: principal due per month for the 12 months after ``as_of`` (yuan)."""
    code, day, bank_id = _params(request, region, as_of, bank)
    rows = _scoped(lambda: selectors.maturity_ladder(user=request.user, region_code=code, as_of=day, bank=bank_id))
    return [{"month": r.first.strftime("%Y-%m"), "first": r.first, "last": r.last,
             "principal": fen_to_yuan(r.principal), "loans": r.loans} for r in rows]


# --- the reward fund (DOMAIN §8, issue #12 item 5) ---------------------------------------------------------


class RewardLineOut(Schema):
    township: str
    township_name: str
    village: str
    village_name: str
    bank: str
    bank_name: str
    loans: int
    disbursed: str
    due: str
    repaid_on_time: str
    recovery_rate: str | None
    eligible: bool
    reason: str
    amount: str
    township_share: str
    village_share: str
    bank_share: str
    leading_group_share: str


class RewardTotalOut(Schema):
    code: str
    name: str
    amount: str


class RewardsOut(Schema):
    year: int
    cutoff: dt.date
    provisional: bool
    disbursed: str
    amount: str
    leading_group: str
    townships: list[RewardTotalOut]
    villages: list[RewardTotalOut]
    banks: list[RewardTotalOut]
    lines: list[RewardLineOut]


@router.get("/rewards", response=RewardsOut)
def rewards(request, year: str = ""):
    """奖补资金 of a year (default last year): 2 % of the year's loans per village × bank when the village's
    on-time recovery of the year's dues ≥ 98 %, split 3:2:4:1 (township, village, bank, leading group)."""
    if not request.user.has_perm("monitoring.view_close"):
        raise HttpError(403, "无权查看奖补资金")
    text = (year or "").strip()
    if text and not (text.isascii() and text.isdigit() and len(text) == 4):
        raise RewardError("year", "年度应为4位数字")
    data = rewards_for(user=request.user, year=int(text) if text else business_date().year - 1)

    def total(t):
        return {"code": t.key, "name": t.name, "amount": fen_to_yuan(t.amount)}

    return {
        "year": data.year, "cutoff": data.cutoff, "provisional": data.provisional,
        "disbursed": fen_to_yuan(data.disbursed), "amount": fen_to_yuan(data.amount),
        "leading_group": fen_to_yuan(data.leading_group), "townships": [total(t) for t in data.townships],
        "villages": [total(t) for t in data.villages], "banks": [total(t) for t in data.banks],
        "lines": [{"township": x.township, "township_name": x.township_name, "village": x.village,
                   "village_name": x.village_name, "bank": x.bank_code, "bank_name": x.bank_name, "loans": x.loans,
                   "disbursed": fen_to_yuan(x.disbursed), "due": fen_to_yuan(x.due),
                   "repaid_on_time": fen_to_yuan(x.repaid_on_time), "recovery_rate": ratio_str(x.recovery_rate),
                   "eligible": x.eligible, "reason": x.reason, "amount": fen_to_yuan(x.amount),
                   "township_share": fen_to_yuan(x.township_share), "village_share": fen_to_yuan(x.village_share),
                   "bank_share": fen_to_yuan(x.bank_share), "leading_group_share": fen_to_yuan(x.leading_group_share)}
                  for x in data.lines],
    }


# --- 年度放贷目标 (issue #12 item 8) ----------------------------------------------------------------------


class TargetOut(Schema):
    code: str
    name: str
    target: str | None


class TargetsOut(Schema):
    year: int
    county: str
    county_name: str
    county_target: str | None
    townships: list[TargetOut]
    banks: list[TargetOut]


AmountText = Text(40) | int | None
"""An amount in yuan as sent ("200000.50"; a JSON number too); checked through ``core.api_types.Yuan`` in
``_fen`` so a bad amount is refused in Chinese, naming the row."""


class RegionTargetIn(Schema):
    code: Text(12)
    target: AmountText = None


class BankTargetIn(Schema):
    code: Text(16)
    target: AmountText = None


class TargetsIn(Schema):
    county_target: AmountText = None
    townships: list[RegionTargetIn] = Field(default_factory=list, max_length=MAX_TARGET_ROWS)
    banks: list[BankTargetIn] = Field(default_factory=list, max_length=MAX_TARGET_ROWS)


_YUAN = TypeAdapter(Yuan)


def _fen(value, field: str, name: str, errors: list) -> int | None:
    """The amount in fen (None: remove the target), or a Chinese error for ``name`` appended to ``errors``."""
    if value is None:
        return None
    try:
        return yuan_to_fen(_YUAN.validate_python(str(value).strip()))
    except (ValidationError, ValueError, ArithmeticError):
        errors.append((field, f"{name}的目标金额不正确：应为不小于 0 的金额（元），最多两位小数"))
        return None


def _yuan_or_none(fen: int | None) -> str | None:
    return None if fen is None else fen_to_yuan(fen)


def _targets_out(year: int, county: tuple[str, str]) -> dict:
    head, townships, banks = targets.table(year=year, county_code=county[0], county_name=county[1])
    return {"year": year, "county": county[0], "county_name": county[1], "county_target": _yuan_or_none(head.amount),
            "townships": [{"code": r.key, "name": r.name, "target": _yuan_or_none(r.amount)} for r in townships],
            "banks": [{"code": r.bank_code, "name": r.name, "target": _yuan_or_none(r.amount)} for r in banks]}


def _target_params(request, year: str, county: str) -> tuple[int, tuple[str, str]]:
    if not request.user.has_perm("monitoring.set_target"):
        raise HttpError(403, "无权查看或设定年度放贷目标")
    try:
        county_row = targets.county_of(request.user, county[:10])
    except targets.NoCounty:
        raise HttpError(404, "没有该县，或不在您的权限范围内") from None
    return targets.parse_year(year[:10], business_date().year), county_row


@router.get("/targets", response=TargetsOut, summary="年度放贷目标（全县、各乡镇、各银行；金额为元）")
def get_targets(request, year: str = "", county: str = ""):
    y, c = _target_params(request, year, county)
    return _targets_out(y, c)


@router.put("/targets", response=TargetsOut, summary="设定年度放贷目标（县乡村振兴局、管理员）；target 为 null 即取消")
def put_targets(request, payload: TargetsIn, year: str = "", county: str = ""):
    y, c = _target_params(request, year, county)
    bank_ids = dict(bank_list().prefetch_related(None).values_list("code", "pk"))
    unknown = [b.code for b in payload.banks if b.code not in bank_ids]
    if unknown:
        raise TargetError([(f"bank:{code}"[:40], f"银行代码 {code} 不存在") for code in unknown])
    errors: list[tuple[str, str]] = [(f"townships[{i}].code", f"乡镇代码 {r.code} 应为9位数字")
                                     for i, r in enumerate(payload.townships)
                                     if not (len(r.code) == 9 and r.code.isascii() and r.code.isdigit())]
    regions = {r.code: _fen(r.target, f"townships[{i}].target", f"乡镇 {r.code}", errors)
               for i, r in enumerate(payload.townships)}
    if "county_target" in payload.model_fields_set:
        regions[c[0]] = _fen(payload.county_target, "county_target", "全县", errors)
    banks = {bank_ids[b.code]: _fen(b.target, f"banks[{i}].target", f"银行 {b.code}", errors)
             for i, b in enumerate(payload.banks)}
    if errors:
        raise TargetError(errors)
    targets_set(actor=request.user, year=y, county_code=c[0], regions=regions, banks=banks)
    return _targets_out(y, c)
