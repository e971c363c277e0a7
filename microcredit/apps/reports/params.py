"""A report run's parameters, read at the edge (page form, API body, job params) and checked against
the user's scope: every failure at once, each a Chinese message naming the parameter (issue #12 §9)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.core.clock import business_date
from microcredit.apps.reference.selectors import bank_list
from microcredit.apps.regions.selectors import regions_in_scope
from microcredit.domain.errors import DomainError
from microcredit.domain.regions import significant_prefix
from microcredit.domain.reports import (
    MAX_MONTHS_AHEAD,
    PARAMS,
    month_bounds,
    month_end,
    parse_day,
    quarter_bounds,
)

MAX_PARAM = 40


class ReportParamError(DomainError):
    """Parameters a report cannot run with (422 at the API, the form's errors on the page)."""

    def __init__(self, errors: dict[str, str]):
        self.field_errors = errors
        self.errors = [f"{PARAMS.get(k, k)}：{v}" for k, v in errors.items()]
        super().__init__(next(iter(errors)), "；".join(self.errors))


@dataclass(frozen=True)
class ReportParams:
    region_code: str  # 12 digits ("" = every region of an unrestricted user)
    region_prefix: str
    region_name: str
    start: dt.date
    end: dt.date
    as_of: dt.date
    bank: object | None
    months: int
    period_label: str

    def as_json(self) -> dict:
        return {"region": self.region_code, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "as_of": self.as_of.isoformat(), "bank": self.bank.code if self.bank else "", "months": self.months}


def default_region(user) -> str:
    scope = Scope.of(user)
    if scope.region_prefixes:
        return scope.region_prefixes[0].ljust(12, "0")
    return ""


def _text(raw: dict, key: str) -> str:
    value = raw.get(key, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, str):
        return value.strip()
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else "\0"


def resolve(user, wanted: list[str], raw: dict) -> ReportParams:
    """The parameters `wanted` by a definition, read from `raw` (strings), checked: region a county,
    township or village within the user's scope; month "YYYY-MM"; quarter "YYYY-Qn"; as_of a date;
    bank a bank's code (a bank user: only its own); months 1–12. Raises ReportParamError."""
    errors: dict[str, str] = {}
    today = business_date()
    start = end = as_of = today
    label = f"截至 {today:%Y年%m月%d日}"
    values = {k: _text(raw, k) for k in PARAMS}
    for key, value in values.items():
        if len(value) > MAX_PARAM or "\0" in value:
            errors[key] = "取值无效"
    region_code, prefix, name = default_region(user), "", "全部"
    if "region" in wanted and "region" not in errors:
        region_code = values["region"] or region_code
    if region_code:
        region = regions_in_scope(user=user).filter(code=region_code).first() if region_code.isdigit() else None
        if region is None or region.level not in ("county", "township", "village") and "region" in wanted:
            errors.setdefault("region", "区划不存在或不在您的管辖范围内（须是县、乡镇或村）")
        else:
            prefix, name = significant_prefix(region.code), region.name
    scope = Scope.of(user)
    if not region_code and not scope.unrestricted and scope.bank_id is None:
        errors.setdefault("region", "您的账号没有管辖区域")
    if "month" in wanted and "month" not in errors:
        bounds = month_bounds(values["month"] or f"{today:%Y-%m}")
        if bounds is None:
            errors["month"] = "月份格式为 YYYY-MM（2000–2100 年）"
        else:
            start, end = bounds
            as_of = min(end, today)
            label = f"{start:%Y年%m月}"
    if "quarter" in wanted and "quarter" not in errors:
        bounds = quarter_bounds(values["quarter"] or f"{today.year}Q{(today.month - 1) // 3 + 1}")
        if bounds is None:
            errors["quarter"] = "季度格式为 YYYY-Qn，如 2026-Q2（2000–2100 年）"
        else:
            start, end = bounds
            as_of = min(end, today)
            label = f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    if "as_of" in wanted and "as_of" not in errors and values["as_of"]:
        day = parse_day(values["as_of"])
        if day is None:
            errors["as_of"] = "日期格式为 YYYY-MM-DD（2000–2100 年）"
        else:
            as_of = day
            label = f"截至 {day:%Y年%m月%d日}"
    months = 2
    if "months" in wanted and "months" not in errors and values["months"]:
        if not values["months"].isdigit() or not 1 <= int(values["months"]) <= MAX_MONTHS_AHEAD:
            errors["months"] = f"提前月数须是 1–{MAX_MONTHS_AHEAD} 的整数"
        else:
            months = int(values["months"])
    bank = None
    if "bank" in wanted and "bank" not in errors and values["bank"]:
        bank = bank_list().filter(code=values["bank"]).first()
        if bank is None:
            errors["bank"] = "没有这个银行"
        elif scope.bank_id is not None and not scope.unrestricted and bank.pk != scope.bank_id:
            errors["bank"] = "只能查看本行的报表"
    if bank is None and scope.bank_id is not None and not scope.unrestricted:
        bank = bank_list().filter(pk=scope.bank_id).first()
    if errors:
        raise ReportParamError(errors)
    if "month" in wanted and "as_of" not in wanted:
        as_of = min(month_end(start), today)
    return ReportParams(region_code, prefix, name, start, end, as_of, bank, months, label)
