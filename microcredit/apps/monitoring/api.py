"""Monitoring API: the indicators of the last close, scoped."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema
from ninja.errors import HttpError

from microcredit.apps.monitoring import selectors
from microcredit.domain.money import fen_to_yuan

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
