"""Regressions found by the day-by-day oracle (tests/property/oracle.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from microcredit.domain.schedules import LoanTerms, build_schedule
from microcredit.domain.servicing import Payment, loan_state


def test_a_second_settlement_payment_does_not_reopen_a_settled_loan():
    # Settled on the disbursement day; a later "settlement" payment is only an overpayment.
    # It used to pick the cancelled instalment as "current", re-settle it on 01-02 and move
    # the closing day (DOMAIN §5.3: settlement = outstanding principal + accrued interest +
    # everything overdue — a settled loan has nothing outstanding).
    terms = LoanTerms(100000, Decimal("2"), date(2015, 1, 1), 2, "equal_installment")
    schedule = build_schedule(terms)
    payments = [Payment(date(2015, 1, 1), 100000, "settlement"),
                Payment(date(2015, 1, 2), 1, "settlement")]
    s = loan_state(schedule, terms, payments, date(2015, 1, 2))
    first, second = s.installments
    assert first.settled_early and first.paid_off_on == date(2015, 1, 1)
    assert second.cancelled and not second.settled_early
    assert second.due_date == date(2015, 3, 1) and second.paid_off_on == date(2015, 1, 1)
    assert s.closed_on == date(2015, 1, 1)
    assert s.advance == 1 and s.principal_outstanding == 0
