"""`/api/v1/postloan/`: risk flags and usage checks (DOMAIN §8), scoped like the pages.

Inputs are bounded (``core.api_types``); unknown fields are refused with 422; a subject outside
the caller's scope is a 404; a refusal of the service is 422 (bad value) or 409 (how things stand).
The check's photo is attached on the page (multipart); the API records the finding and GPS.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict, Field

from microcredit.apps.core import idempotency
from microcredit.apps.core.api_types import Day, Id, Limit, Offset, Text
from microcredit.apps.core.clock import business_date
from microcredit.apps.postloan import selectors, services
from microcredit.apps.postloan.models import CheckResult, FlagKind
from microcredit.domain.postloan import CHECK_DONE, MAX_FINDING, MAX_REASON

router = Router(tags=["贷后管理"])

Latitude = Annotated[Decimal, Field(ge=-90, le=90, decimal_places=6, allow_inf_nan=False)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180, decimal_places=6, allow_inf_nan=False)]
RegionPrefix = Annotated[str, Field(pattern=r"^(\d{9}|\d{12})$")]


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class FlagOut(Schema):
    id: int
    kind: str
    kind_label: str
    loan_id: int | None
    loan_number: str | None
    household_id: int | None
    region_code: str
    reason: str
    set_on: dt.date
    set_by: str
    open: bool
    cleared_on: dt.date | None
    cleared_by: str | None
    clear_reason: str


class FlagIn(StrictIn):
    kind: Literal[tuple(FlagKind.values)]  # type: ignore[valid-type]
    reason: Text(MAX_REASON)
    loan_id: Id | None = None
    household_id: Id | None = None


class ClearIn(StrictIn):
    reason: Text(MAX_REASON)


class CheckIn(StrictIn):
    loan_id: Id
    result: Literal["passed", "failed"]
    finding: Text(MAX_FINDING) = ""
    checked_on: Day | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    idempotency_key: Text(80) | None = None  # or the Idempotency-Key header: a retried POST records one check


class DueOut(Schema):
    loan_id: int
    loan_number: str
    head_name: str
    region_code: str
    disbursed_on: dt.date
    last_check: dt.date | None
    due_on: dt.date
    status: str


class CheckOut(Schema):
    id: int
    loan_id: int
    loan_number: str
    region_code: str
    due_on: dt.date
    checked_on: dt.date
    checked_by: str
    result: str
    result_label: str
    finding: str
    has_photo: bool
    latitude: Decimal | None
    longitude: Decimal | None
    status: str = CHECK_DONE


def _need(request, perm: str, what: str) -> None:
    if not request.user.has_perm(perm):
        raise HttpError(403, f"无权{what}")


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user else "系统"


def _flag(f) -> dict:
    return {"id": f.pk, "kind": f.kind, "kind_label": f.get_kind_display(), "loan_id": f.loan_id,
            "loan_number": f.loan.number if f.loan_id else None, "household_id": f.household_id,
            "region_code": f.region_code, "reason": f.reason, "set_on": f.set_on, "set_by": _who(f.set_by),
            "open": f.is_open, "cleared_on": f.cleared_on, "cleared_by": _who(f.cleared_by) if f.cleared_on else None,
            "clear_reason": f.clear_reason}


def _check(c) -> dict:
    return {"id": c.pk, "loan_id": c.loan_id, "loan_number": c.loan.number, "region_code": c.region_code,
            "due_on": c.due_on, "checked_on": c.checked_on, "checked_by": _who(c.checked_by), "result": c.result,
            "result_label": c.get_result_display(), "finding": c.finding, "has_photo": bool(c.photo),
            "latitude": c.latitude, "longitude": c.longitude}


@router.get("/flags", response=list[FlagOut], summary="风险标识（默认未解除的）")
def flags(request, kind: Literal[tuple(FlagKind.values)] | None = None,  # type: ignore[valid-type]
          state: Literal["open", "cleared", "all"] = "open", township: RegionPrefix | None = None,
          village: RegionPrefix | None = None, loan_id: Id | None = None, household_id: Id | None = None,
          limit: Limit = 100, offset: Offset = 0):
    _need(request, "postloan.view_check", "查看风险标识")
    qs = selectors.flag_list(user=request.user, kind=kind or "", state=state, township=township or "",
                             village=village or "")
    if loan_id:
        qs = qs.filter(loan_id=loan_id)
    if household_id:
        qs = qs.filter(household_id=household_id)
    return [_flag(f) for f in qs[offset:offset + limit]]


@router.post("/flags", response={201: FlagOut, 409: dict, 422: dict}, summary="设置风险标识（贷款或农户）")
def flag_set(request, payload: FlagIn):
    _need(request, "postloan.manage_flag", "设置风险标识")
    if (payload.loan_id is None) == (payload.household_id is None):
        raise HttpError(422, "loan_id / household_id：须且只能给出其中一个")
    loan = household = None
    if payload.loan_id is not None:
        loan = selectors.loan_for(user=request.user, pk=payload.loan_id)
        if loan is None:
            raise HttpError(404, "贷款不存在或不在管辖范围内")
    else:
        household = selectors.household_for(user=request.user, pk=payload.household_id)
        if household is None:
            raise HttpError(404, "农户不存在或不在管辖范围内")
    flag = services.flag_set(kind=payload.kind, reason=payload.reason, actor=request.user, loan=loan,
                             household=household)
    return 201, _flag(flag)


@router.post("/flags/{pk}/clear", response={200: FlagOut, 409: dict, 422: dict}, summary="解除风险标识")
def flag_clear(request, pk: Id, payload: ClearIn):
    _need(request, "postloan.manage_flag", "解除风险标识")
    flag = selectors.flags_visible(user=request.user).filter(pk=pk).first()
    if flag is None:
        raise HttpError(404, "风险标识不存在或不在管辖范围内")
    return 200, _flag(services.flag_clear(flag=flag, reason=payload.reason, actor=request.user))


@router.get("/checks", response=list[DueOut] | list[CheckOut], summary="贷后检查：待检查、已逾期或已检查")
def checks(request, status: Literal["due", "overdue", "done"] = "due", township: RegionPrefix | None = None,
           village: RegionPrefix | None = None, limit: Limit = 100, offset: Offset = 0):
    """``due``: the checks whose window is open and not past their date; ``overdue``: past it; ``done``: recorded."""
    _need(request, "postloan.view_check", "查看贷后检查")
    regions = {"township": township or "", "village": village or ""}
    if status == CHECK_DONE:
        return [_check(c) for c in selectors.check_list(user=request.user, **regions)[offset:offset + limit]]
    due = selectors.checks_due(user=request.user, on=business_date(), status=status, **regions)
    return [{"loan_id": d.loan_id, "loan_number": d.number, "head_name": d.head_name, "region_code": d.region_code,
             "disbursed_on": d.disbursed_on, "last_check": d.last_check, "due_on": d.due_on, "status": d.status}
            for d in due[offset:offset + limit]]


@router.post("/checks", response={200: CheckOut, 201: CheckOut, 409: dict, 422: dict}, summary="登记贷后检查（未通过即标记风险）")
def check_record(request, payload: CheckIn):
    """登记一次贷后检查（与检查页相同）。可带幂等键（请求头 ``Idempotency-Key`` 或 ``idempotency_key``）：同一银行
    重复提交返回第一次的结果（200），不会重复登记。"""
    _need(request, "postloan.record_check", "登记贷后检查")
    loan = selectors.loan_for(user=request.user, pk=payload.loan_id)
    if loan is None:
        raise HttpError(404, "贷款不存在或不在管辖范围内")
    key = idempotency.request_key(request, payload.idempotency_key)

    def run():
        check = services.check_record(loan=loan, passed=payload.result == CheckResult.PASSED, finding=payload.finding,
                                      actor=request.user, checked_on=payload.checked_on, latitude=payload.latitude,
                                      longitude=payload.longitude)
        return 201, _check(check)
    return idempotency.run_once(request, schema=CheckOut, key=key,
                                run=run, payload=payload.dict(exclude={"idempotency_key"}))
