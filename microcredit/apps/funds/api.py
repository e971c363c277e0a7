"""Funds API: the lending quota of a bank (for origination systems) and fund balances; claims with each
party's share; the loans insured under a 政银保 scheme (the insurer's, DOMAIN §7). Amounts in yuan strings."""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema
from ninja.errors import HttpError

from microcredit.apps.core.api_types import Limit, Offset, Text, Year
from microcredit.apps.funds import forms, ledger, selectors
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


class ClaimFilters(Schema):
    status: Text(10) = ""
    insured: Text(1) = ""
    paid_year: Year | None = None
    recovered_year: Year | None = None


class ClaimOut(Schema):
    id: int
    number: str
    loan: str
    bank: str
    status: str
    filed_on: dt.date
    loss: str
    recovered: str
    sharing_preset: str
    shares: dict[str, str]
    insurer_share: str
    insurer_recovered: str


@router.get("/claims", response=list[ClaimOut])
def claims(request, filters: Query[ClaimFilters], limit: Limit = 100, offset: Offset = 0):
    """The claims in the caller's scope (an insurer's: the 政银保 ones), filtered as the claim list page; each
    party's share (as paid, or as the scheme would split it before payout) and the insurer's share of the
    recoveries (in ``recovered_year`` when given)."""
    if not (request.user.has_perm("funds.view_fund") or request.user.has_perm("funds.view_insured")):
        raise HttpError(403, "无权查看代偿申请")
    f = forms.claim_filters({k: "" if v is None else str(v) for k, v in filters.dict().items()})
    return [{"id": c.pk, "number": c.number, "loan": c.loan.number, "bank": c.account.bank.code, "status": c.status,
             "filed_on": c.filed_on, "loss": fen_to_yuan(c.loss), "recovered": fen_to_yuan(c.recovered),
             "sharing_preset": c.sharing_preset,
             "shares": {k: fen_to_yuan(v) for k, v in selectors.party_shares(c)},
             "insurer_share": fen_to_yuan(selectors.party_share(c)),
             "insurer_recovered": fen_to_yuan(selectors.recovered_share(c, year=f["recovered_year"]))}
            for c in selectors.claim_list(user=request.user, **f).select_related("account__bank")[offset:offset + limit]]


class InsuredLoanOut(Schema):
    id: int
    number: str
    bank: str
    region_code: str
    principal_outstanding: str
    days_past_due: int
    classification: str
    status: str
    maturity_date: dt.date


@router.get("/insured-loans", response=list[InsuredLoanOut])
def insured_loans(request, show: Text(8) = "", limit: Limit = 100, offset: Offset = 0):
    """The loans insured under a 政银保 scheme in the caller's scope, as the 承保贷款 page (``show``: active,
    overdue, npl)."""
    if not request.user.has_perm("funds.view_insured"):
        raise HttpError(403, "无权查看承保贷款")
    if show and show not in selectors.INSURED_VIEWS:
        raise HttpError(422, "show：不是可选的值")
    qs = selectors.insured_loans(user=request.user, show=show or None)
    return [{"id": x.pk, "number": x.number, "bank": x.bank.code, "region_code": x.region_code,
             "principal_outstanding": fen_to_yuan(x.principal_outstanding), "days_past_due": x.days_past_due,
             "classification": x.classification, "status": x.status, "maturity_date": x.maturity_date}
            for x in qs[offset:offset + limit]]
