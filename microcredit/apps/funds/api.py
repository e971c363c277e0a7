"""Funds API: the lending quota of a bank (for origination systems) and fund balances, in yuan strings."""

from __future__ import annotations

from ninja import Router, Schema
from ninja.errors import HttpError

from microcredit.apps.funds import ledger, selectors
from microcredit.domain.money import fen_to_yuan

router = Router(tags=["资金"])


class AccountOut(Schema):
    id: int
    name: str
    county_code: str
    bank: str
    balance: str
    quota: str
    outstanding: str


@router.get("/accounts", response=list[AccountOut])
def accounts(request):
    if not request.user.has_perm("funds.view_fund"):
        raise HttpError(403, "无权查看风险补偿金")
    out = []
    for a in selectors.accounts_visible(request.user):
        quota, outstanding = selectors.lending_quota(a.bank, a.county_code)
        out.append({"id": a.pk, "name": a.name, "county_code": a.county_code, "bank": a.bank.code,
                    "balance": fen_to_yuan(ledger.balance(a)), "quota": fen_to_yuan(quota),
                    "outstanding": fen_to_yuan(outstanding)})
    return out
