"""The derivation basis of a loan: its state right after its last payment (pure).

The daily close rolls every loan forward from its basis with set-based expressions
(:mod:`microcredit.batch.close`). Between two payment days a loan changes only by time:
instalments fall due (and any advance 预收 pays them on their due date), penalty accrues and
days past due grow. So the basis keeps, per instalment, what was paid and the *exact* penalty
accrual in fen-days (本金×天数) to the basis day; rounding happens only when the close turns
fen-days into penalty (DOMAIN §5.3, through ``domain.money.round_half_up``).

The fen-days are recovered from :func:`microcredit.domain.servicing.loan_state` itself: the
unpaid amount of an instalment only changes on payment days and due days, so the accrual is
Σ unpaid-after(tₖ) × (tₖ₊₁ − tₖ) over those days from the due date. (``domain`` keeps fen-days
internally but does not expose them; see the report of issue #5.)
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple, Sequence

from microcredit.domain.schedules import LoanTerms, Schedule
from microcredit.domain.servicing import LoanState, Payment, loan_state

__all__ = ["InstallmentBasis", "Basis", "basis_of", "next_due_date"]


class InstallmentBasis(NamedTuple):
    seq: int
    due_date: date
    principal: int
    interest: int
    principal_paid: int
    interest_paid: int
    penalty_paid: int
    fen_days: int
    accrued_to: date
    paid_off_on: date | None


class Basis(NamedTuple):
    """State after the last payment day ``on`` (the disbursement day when none)."""

    on: date
    advance: int
    state: LoanState
    installments: tuple[InstallmentBasis, ...]


def basis_of(schedule: Schedule, terms: LoanTerms, payments: Sequence[Payment]) -> Basis:
    """The basis of a loan from its schedule and all its effective payments."""
    on = max([terms.disbursed_on, *(p.date for p in payments)])
    state = loan_state(schedule, terms, payments, on)
    needs = [s for s in state.installments
             if s.due_date <= on and (s.paid_off_on is None or s.paid_off_on > s.due_date)]
    fen: dict[int, int] = {}
    if needs:
        days = sorted({p.date for p in payments} | {s.due_date for s in schedule.installments
                                                    if s.due_date <= on} | {on})
        after = {t: loan_state(schedule, terms, payments, t).installments for t in days}
        for s in needs:
            k = s.seq
            idx = next(i for i, x in enumerate(state.installments) if x.seq == k)
            total = 0
            for t0, t1 in zip(days, days[1:]):
                if t0 < s.due_date:
                    continue
                inst = after[t0][idx]
                total += (inst.principal_unpaid + inst.interest_unpaid) * (t1 - t0).days
            fen[k] = total
    out = tuple(
        InstallmentBasis(s.seq, s.due_date, s.principal, s.interest, s.principal_paid,
                         s.interest_paid, s.penalty_paid, fen.get(s.seq, 0),
                         on if s.due_date <= on and s.paid_off_on is None else s.due_date,
                         s.paid_off_on)
        for s in state.installments)
    return Basis(on, state.advance, state, out)


def next_due_date(state: LoanState) -> date | None:
    """The earliest due date on or after the as-of day of an instalment not yet paid off."""
    days = [s.due_date for s in state.installments
            if s.paid_off_on is None and s.due_date >= state.as_of]
    return min(days) if days else None
