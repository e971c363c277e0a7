"""/api/v1/reference/: banks, reference rates (current + history), policy eras; POST a fixing.

Rates are strings with four decimals ("4.3500"); amounts are yuan strings ("50000.00").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import Router, Schema
from ninja.responses import Status
from ninja.errors import HttpError

from microcredit.apps.reference import selectors, services
from microcredit.domain.money import fen_to_yuan
from microcredit.domain.rates import TENORS

router = Router(tags=["参考数据"])


def _rate(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.4f}"


class BranchOut(Schema):
    name: str
    region_code: str
    region_name: str


class BankOut(Schema):
    code: str
    name: str
    short_name: str
    branches: list[BranchOut]


class RateOut(Schema):
    id: int
    kind: str
    tenor: str
    effective_from: dt.date
    rate: str
    current: bool
    superseded_by: int | None
    recorded_at: dt.datetime
    reason: str


class RatesOut(Schema):
    current: list[RateOut]
    history: list[RateOut]


class RateIn(Schema):
    kind: str
    tenor: str
    effective_from: dt.date
    rate: Decimal
    reason: str = ""


class EraOut(Schema):
    id: int
    code: str
    name: str
    effective_from: dt.date
    max_amount: str
    max_term_months: int
    rate_basis: str
    cap_rate: str | None
    eligible_statuses: list[str]
    min_age: int
    max_age: int
    subsidy_ratio: str
    subsidy_max_years: int
    current: bool


def _rate_out(r) -> dict:
    return dict(id=r.pk, kind=r.kind, tenor=r.tenor, effective_from=r.effective_from, rate=_rate(r.rate),
                current=r.superseded_by_id is None, superseded_by=r.superseded_by_id,
                recorded_at=r.recorded_at, reason=r.reason)


@router.get("/banks", response=list[BankOut], summary="合作银行及网点")
def list_banks(request):
    return [
        dict(code=b.code, name=b.name, short_name=b.short_name, branches=[
            dict(name=br.name, region_code=br.region.code, region_name=br.region.name) for br in b.branches.all()
        ])
        for b in selectors.bank_list()
    ]


@router.get("/rates", response=RatesOut, summary="基准利率与 LPR（当前值与全部历史版本）")
def list_rates(request):
    rows = [_rate_out(r) for r in selectors.rate_rows()]
    return {"current": [r for r in rows if r["current"]], "history": rows}


@router.post("/rates", response={201: RateOut}, summary="录入新利率（需“维护参考数据”权限）")
def create_rate(request, payload: RateIn):
    if not request.user.has_perm("core.manage_reference"):
        raise HttpError(403, "无权维护参考数据")
    if payload.tenor not in TENORS.get(payload.kind, ()):
        raise HttpError(422, f"{payload.kind} 没有期限 {payload.tenor}")
    if not Decimal("0") <= payload.rate < Decimal("100"):
        raise HttpError(422, "利率必须在 0 到 100 之间")
    try:
        row = services.reference_rate_record(
            kind=payload.kind, tenor=payload.tenor, effective_from=payload.effective_from,
            rate=payload.rate.quantize(Decimal("0.0001")), actor=request.user, reason=payload.reason,
        )
    except ValidationError as exc:
        raise HttpError(409, "；".join(exc.messages)) from exc
    return Status(201, _rate_out(row))


@router.get("/eras", response=list[EraOut], summary="政策期（含历史版本）")
def list_eras(request):
    return [
        dict(id=e.pk, code=e.code, name=e.name, effective_from=e.effective_from,
             max_amount=fen_to_yuan(e.max_amount), max_term_months=e.max_term_months,
             rate_basis=e.rate_basis, cap_rate=_rate(e.cap_rate), eligible_statuses=e.eligible_statuses,
             min_age=e.min_age, max_age=e.max_age, subsidy_ratio=f"{e.subsidy_ratio:.4f}",
             subsidy_max_years=e.subsidy_max_years,
             current=e.superseded_by_id is None)
        for e in selectors.policy_era_rows()
    ]
