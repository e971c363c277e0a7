"""Monitoring API: the indicators of the last close, scoped."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema
from ninja.errors import HttpError

from microcredit.apps.monitoring import selectors

router = Router(tags=["监测"])


class AggregateOut(Schema):
    as_of: dt.date
    level: str
    code: str
    bank_id: int
    loans: int
    households: int
    balance_fen: int
    overdue_balance_fen: int
    npl_balance_fen: int
    red: int
    yellow: int
    green: int


@router.get("/aggregates", response=list[AggregateOut])
def aggregates(request, level: str = "township"):
    if not request.user.has_perm("monitoring.view_close"):
        raise HttpError(403, "无权查看监测指标")
    return [{"as_of": r.as_of, "level": r.level, "code": r.code, "bank_id": r.bank_id, "loans": r.loans,
             "households": r.households, "balance_fen": r.balance, "overdue_balance_fen": r.overdue_balance,
             "npl_balance_fen": r.npl_balance, "red": r.red, "yellow": r.yellow, "green": r.green}
            for r in selectors.aggregates_for(request.user, level=level)]
