"""Loans API for banks' systems: read loans, post repayments with an idempotency key.

`POST /api/v1/loans/{id}/repayments` — body {amount: "123.45", on: "2026-11-20", reference,
idempotency_key} (or header `Idempotency-Key`). The same key twice records one payment: the
first answer is 201, a replay 200 with the same receipt.
"""

from __future__ import annotations

import datetime as dt

from ninja import Query, Router, Schema
from ninja.errors import HttpError

from microcredit.apps.core.api_types import Day, Id, Limit, Offset, Text, Yuan
from microcredit.apps.loans import selectors
from microcredit.apps.loans.filters import loan_filters
from microcredit.apps.loans import servicing as svc
from microcredit.apps.loans.models import Loan
from microcredit.domain.errors import DomainError
from microcredit.domain.money import fen_to_yuan, yuan_to_fen

router = Router(tags=["贷款"])


class LoanOut(Schema):
    id: int
    number: str
    bank: str
    region_code: str
    principal: str
    principal_outstanding: str
    overdue_principal: str
    overdue_interest: str
    penalty_owed: str
    advance: str
    days_past_due: int
    classification: str
    status: str
    disbursed_on: dt.date
    maturity_date: dt.date
    next_due_date: dt.date | None
    state_as_of: dt.date | None


def _loan_out(loan: Loan) -> dict:
    return {
        "id": loan.pk, "number": loan.number, "bank": loan.bank.code, "region_code": loan.region_code,
        "principal": fen_to_yuan(loan.principal), "principal_outstanding": fen_to_yuan(loan.principal_outstanding),
        "overdue_principal": fen_to_yuan(loan.overdue_principal), "overdue_interest": fen_to_yuan(loan.overdue_interest),
        "penalty_owed": fen_to_yuan(loan.penalty_owed), "advance": fen_to_yuan(loan.advance),
        "days_past_due": loan.days_past_due, "classification": loan.classification, "status": loan.status,
        "disbursed_on": loan.disbursed_on, "maturity_date": loan.maturity_date, "next_due_date": loan.next_due_date,
        "state_as_of": loan.state_as_of,
    }


class RepaymentIn(Schema):
    amount: Yuan
    on: Day
    reference: Text(64) = ""
    idempotency_key: Text(80) | None = None


class Allocation(Schema):
    penalty: str
    interest: str
    principal: str
    advance: str


class ReceiptOut(Schema):
    receipt_id: int
    loan_id: int
    amount: str
    on: dt.date
    reference: str
    idempotency_key: str | None
    allocation: Allocation
    loan: LoanOut


def _get(request, loan_id: int) -> Loan:
    try:
        return selectors.loan_get(user=request.user, pk=loan_id)
    except Loan.DoesNotExist:
        raise HttpError(404, "贷款不存在或不在您的管辖范围内") from None


class LoanFilters(Schema):
    """The loan list page's filters (``loans.filters``), by the same names and values."""
    q: Text(64) = ""
    region: Text(15) = ""
    township: Text(12) = ""
    village: Text(12) = ""
    bank: Text(20) = ""
    status: Text(16) = ""
    classification: Text(16) = ""
    light: Text(8) = ""
    dpd: Text(8) = ""
    maturity: Text(7) = ""
    era: Text(16) = ""
    sort: Text(16) = ""


@router.get("/", response=list[LoanOut])
def list_loans(request, filters: Query[LoanFilters], limit: Limit = 100, offset: Offset = 0):
    """The loans in the caller's scope, filtered and sorted as on the loan list page (same parameters)."""
    if not request.user.has_perm("loans.view_loan"):
        raise HttpError(403, "无权查看贷款")
    qs = selectors.loan_list(user=request.user, **loan_filters(filters.dict()))
    return [_loan_out(x) for x in qs[offset:offset + limit]]


@router.get("/{loan_id}", response=LoanOut)
def get_loan(request, loan_id: Id):
    if not request.user.has_perm("loans.view_loan"):
        raise HttpError(403, "无权查看贷款")
    return _loan_out(_get(request, loan_id))


class SplitPeriodOut(Schema):
    seq: int
    due_date: dt.date
    interest: str
    household_share: str
    subsidy_share: str
    eligible: bool
    reason: str


class SplitOut(Schema):
    loan_id: int
    mode: str
    periods: list[SplitPeriodOut]


@router.get("/{loan_id}/subsidy-split", response=SplitOut)
def subsidy_split(request, loan_id: Id):
    """直接贴付 (ADR 0004): per period the household's share of the interest and the subsidy share the bank
    claims (``eligible``: earned, the household paid its share on time). Empty for 先收后补 loans."""
    if not request.user.has_perm("loans.view_loan"):
        raise HttpError(403, "无权查看贷款")
    loan = _get(request, loan_id)
    split = selectors.loan_interest_split(loan)
    periods = [{"seq": p["seq"], "due_date": p["due_date"], "interest": fen_to_yuan(p["interest"]),
                "household_share": fen_to_yuan(p["household_share"]), "subsidy_share": fen_to_yuan(p["subsidy_share"]),
                "eligible": p["eligible"], "reason": p["reason"]} for p in split or ()]
    return {"loan_id": loan.pk, "mode": "direct" if split is not None else "claim", "periods": periods}


@router.post("/{loan_id}/repayments", response={200: ReceiptOut, 201: ReceiptOut, 409: dict, 422: dict})
def post_repayment(request, loan_id: Id, payload: RepaymentIn):
    if not request.user.has_perm("loans.post_repayment"):
        raise HttpError(403, "无权登记还款")
    loan = _get(request, loan_id)
    key = payload.idempotency_key or request.headers.get("Idempotency-Key") or None
    if key and len(key) > 80:
        raise DomainError("idempotency_key", "幂等键不能超过 80 个字符")
    event, created = svc.repayment_post(loan=loan, amount=yuan_to_fen(payload.amount), on=payload.on,
                                        actor=request.user, idempotency_key=key, reference=payload.reference,
                                        channel="api")
    loan.refresh_from_db()
    alloc = event.data.get("allocation", {})
    return (201 if created else 200), {
        "receipt_id": event.pk, "loan_id": loan.pk, "amount": fen_to_yuan(event.amount), "on": event.on,
        "reference": event.reference, "idempotency_key": event.idempotency_key,
        "allocation": {k: fen_to_yuan(alloc.get(k, 0)) for k in ("penalty", "interest", "principal", "advance")},
        "loan": _loan_out(loan),
    }
