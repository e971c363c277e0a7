"""Reminders API (issue #12 §2): the outbox, the maturity list, the county's settings. Scoped like the pages;
amounts as yuan strings; a refused setting answers 422 with every broken rule (``core.api_errors``)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import QueryDict
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from microcredit.apps.core.api_types import Limit, Offset, Text
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.masking import mask_phone
from microcredit.apps.reminders import selectors, services
from microcredit.apps.reminders.export import region_filter
from microcredit.apps.reminders.models import ReminderStatus
from microcredit.domain import reminders as rules
from microcredit.domain.money import fen_to_yuan

router = Router(tags=["还款提醒"])


class ReminderOut(Schema):
    id: int
    loan: str
    household: str
    region_code: str
    kind: str
    kind_label: str
    due_date: dt.date
    amount: str
    to: str
    text: str
    status: str
    status_label: str
    attempts: int
    last_error: str
    send_after: dt.datetime
    sent_at: dt.datetime | None


def _view(request) -> None:
    if not request.user.has_perm("reminders.view_reminder"):
        raise HttpError(403, "无权查看还款提醒")


@router.get("/outbox", response=list[ReminderOut], summary="短信发件箱（按状态筛选）")
def outbox(request, status: Literal[tuple(ReminderStatus.values)] | None = None,  # type: ignore[valid-type]
           limit: Limit = 100, offset: Offset = 0):
    _view(request)
    see = request.user.has_perm("core.see_identity")
    return [{"id": r.pk, "loan": r.loan.number, "household": r.household.head_name, "region_code": r.region_code,
             "kind": r.kind, "kind_label": r.get_kind_display(), "due_date": r.due_date, "amount": fen_to_yuan(r.amount),
             "to": r.to if see else mask_phone(r.to), "text": r.text, "status": r.status,
             "status_label": r.get_status_display(), "attempts": r.attempts, "last_error": r.last_error,
             "send_after": r.send_after, "sent_at": r.sent_at}
            for r in selectors.reminder_list(user=request.user, status=status)[offset:offset + limit]]


class MaturityOut(Schema):
    loan: str
    loan_id: int
    household: str
    township_code: str
    village_code: str
    village: str
    bank: str
    due_date: dt.date
    principal_due: str
    interest_due: str
    maturity_date: dt.date


@router.get("/maturities", response=list[MaturityOut], summary="到期提醒名单（未来几个月到期应还本金）")
def maturities(request, region: Text(12) = "", limit: Limit = 100, offset: Offset = 0):
    _view(request)
    query = QueryDict(mutable=True)
    query["region"] = region
    rows = selectors.maturity_list(user=request.user, on=business_date(), region=region_filter(query))
    return [{"loan": i.loan.number, "loan_id": i.loan_id, "household": i.loan.household.head_name,
             "township_code": i.loan.region_code[:9].ljust(12, "0"), "village_code": i.loan.region_code,
             "village": i.loan.household.village.name, "bank": str(i.loan.bank), "due_date": i.due_date,
             "principal_due": fen_to_yuan(i.principal - i.principal_paid),
             "interest_due": fen_to_yuan(max(i.interest - i.interest_paid, 0)), "maturity_date": i.loan.maturity_date}
            for i in rows[offset:offset + limit]]


class SettingsOut(Schema):
    county_code: str
    saved: bool
    early_days: int
    near_days: int
    overdue_days: int
    quiet_start: dt.time
    quiet_end: dt.time
    horizon_months: int
    max_attempts: int
    template_early: str
    template_near: str
    template_overdue: str
    placeholders: list[str]


class SettingsIn(Schema):
    early_days: int = Field(ge=1, le=rules.OFFSET_MAX)
    near_days: int = Field(ge=1, le=rules.OFFSET_MAX)
    overdue_days: int = Field(ge=1, le=rules.OFFSET_MAX)
    quiet_start: dt.time
    quiet_end: dt.time
    horizon_months: int = Field(ge=1, le=rules.HORIZON_MAX)
    max_attempts: int = Field(ge=1, le=rules.ATTEMPTS_MAX)
    template_early: Text(1000)
    template_near: Text(1000)
    template_overdue: Text(1000)


def _county(request, county: str) -> str:
    codes = [c for c, _name in selectors.counties_in_scope(user=request.user)]
    if county:
        if county not in codes:
            raise HttpError(404, "没有该县，或不在您的权限范围内")
        return county
    if not codes:
        raise HttpError(404, "您的权限范围内没有县")
    return codes[0]


def _settings_out(s) -> dict:
    return {"county_code": s.county_code, "saved": s.pk is not None,
            **{name: getattr(s, name) for name in services.SETTINGS_FIELDS},
            "placeholders": list(rules.PLACEHOLDERS)}


@router.get("/settings", response=SettingsOut, summary="本县提醒设置（天数、免打扰时段、名单月数、短信模板）")
def get_settings(request, county: Text(6) = ""):
    _view(request)
    return _settings_out(selectors.reminder_settings_for(_county(request, county)))


@router.put("/settings", response=SettingsOut, summary="修改本县提醒设置（县乡村振兴局、管理员）")
def put_settings(request, payload: SettingsIn, county: Text(6) = ""):
    if not request.user.has_perm("reminders.manage_reminder"):
        raise HttpError(403, "无权修改提醒设置")
    row = services.settings_save(actor=request.user, county_code=_county(request, county), **payload.dict())
    return _settings_out(row)
