"""DOMAIN §5.3: payments, advance, overdue, penalty and early settlement, to the fen."""

from microcredit.domain.errors import DomainError
from microcredit.domain.money import fen_to_yuan
from microcredit.domain.servicing import Payment, loan_state, settlement_payment, settlement_quote
from tests.domain.helpers import d, fen, loan, pay, quarterly_example, section_5_3_payments

import pytest


def test_the_section_5_3_example():
    terms, schedule = quarterly_example()
    state = loan_state(schedule, terms, section_5_3_payments(schedule), d("2020-01-01"))
    june = state.installments[5]
    assert june.due_date == d("2019-06-21")
    assert june.paid_off_on == d("2019-08-01")
    assert fen_to_yuan(june.penalty_paid) == "4.13"
    september = state.installments[6]
    assert fen_to_yuan(september.interest_paid) == "40.04"     # the advance, applied 09-21
    assert fen_to_yuan(state.overdue_interest) == "1065.58"
    assert fen_to_yuan(state.penalty_owed) == "10.64"
    assert state.overdue_principal == 0
    assert state.days_past_due == 102
    assert state.classification == "substandard"
    assert state.advance == 0
    assert state.principal_outstanding == fen("50000")


def test_the_section_5_3_advance_is_held_until_the_next_due_date():
    terms, schedule = quarterly_example()
    state = loan_state(schedule, terms, section_5_3_payments(schedule), d("2019-09-20"))
    assert fen_to_yuan(state.advance) == "40.04"
    assert state.days_past_due == 0 and state.classification == "normal"
    state = loan_state(schedule, terms, section_5_3_payments(schedule), d("2019-09-21"))
    assert state.advance == 0
    assert fen_to_yuan(state.installments[6].interest_paid) == "40.04"
    assert state.days_past_due == 0       # due today is not overdue
    state = loan_state(schedule, terms, section_5_3_payments(schedule), d("2019-09-22"))
    assert state.days_past_due == 1 and state.classification == "special_mention"


def test_paying_every_instalment_on_its_due_date():
    terms, schedule = quarterly_example()
    payments = [Payment(i.due_date, i.amount) for i in schedule.installments]
    state = loan_state(schedule, terms, payments, d("2021-03-15"))
    assert all(i.paid_off_on == i.due_date for i in state.installments)
    assert (state.days_past_due, state.classification, state.penalty_owed, state.advance,
            state.principal_outstanding) == (0, "normal", 0, 0, 0)
    assert state.closed_on == d("2021-03-15")
    assert state.interest_paid == fen("6621.64")


def test_payments_after_as_of_are_not_counted():
    terms, schedule = quarterly_example()
    state = loan_state(schedule, terms, [pay("2018-03-22", "36.25")], d("2018-03-21"))
    assert state.total_paid == 0
    assert state.installments[0].paid_off_on is None


def test_partial_payment_pays_interest_before_principal_and_penalty_accrues_on_the_rest():
    # 10000 at 4.35 bullet 2019-01-01 → 2020-01-01: interest 441.04 (365 days)
    terms, schedule = loan("10000", "4.35", "2019-01-01", 12, "bullet")
    state = loan_state(schedule, terms, [pay("2020-01-01", "5000.00")], d("2020-01-31"))
    (inst,) = state.installments
    assert fen_to_yuan(inst.interest_paid) == "441.04"
    assert fen_to_yuan(inst.principal_paid) == "4558.96"
    assert fen_to_yuan(state.overdue_principal) == "5441.04"
    # 5441.04 × 4.35 % × 1.5 × 30 / 360 = 29.5857 → 29.59
    assert fen_to_yuan(state.penalty_owed) == "29.59"
    assert state.days_past_due == 30 and state.classification == "special_mention"


def test_overpayment_is_an_advance_applied_on_the_next_due_dates():
    terms, schedule = quarterly_example()
    payments = [pay("2018-03-21", "1000.00")]
    state = loan_state(schedule, terms, payments, d("2018-06-21"))
    assert fen_to_yuan(state.advance) == "407.92"          # 1000 − 36.25 − 555.83
    assert state.installments[1].paid_off_on == d("2018-06-21")
    state = loan_state(schedule, terms, payments, d("2018-10-01"))
    assert state.advance == 0
    assert fen_to_yuan(state.overdue_interest) == "147.91"
    assert state.days_past_due == 10
    # 147.91 × 6.525 % × 10 / 360 = 0.268 → 0.27
    assert fen_to_yuan(state.penalty_owed) == "0.27"


def test_payment_years_late():
    terms, schedule = loan("10000", "4.35", "2019-01-01", 12, "bullet")
    state = loan_state(schedule, terms, [], d("2021-01-01"))
    assert state.days_past_due == 366 and state.classification == "loss"
    # 10441.04 × 6.525 % × 366 / 360 = 692.632 → 692.63
    assert fen_to_yuan(state.penalty_owed) == "692.63"
    everything = pay("2021-01-01", fen_to_yuan(fen("10441.04") + fen("692.63")))
    state = loan_state(schedule, terms, [everything], d("2021-01-01"))
    assert state.installments[0].paid_off_on == d("2021-01-01")
    assert (state.days_past_due, state.classification, state.advance, state.penalty_owed) == (
        0, "normal", 0, 0)
    assert fen_to_yuan(state.penalty_paid) == "692.63"


def test_early_settlement_quote_and_payment():
    terms, schedule = quarterly_example()
    paid = [Payment(i.due_date, i.interest) for i in schedule.installments[:2]]
    quote = settlement_quote(schedule, terms, paid, d("2018-08-01"))
    # current period 2018-06-21 → 2018-08-01 = 41 days: 50000 × 4.35 % × 41 / 360 = 247.708
    assert fen_to_yuan(quote.current_interest) == "247.71"
    assert fen_to_yuan(quote.total) == "50247.71"
    state = loan_state(schedule, terms, paid + [settlement_payment(quote)], d("2018-12-31"))
    assert state.closed_on == d("2018-08-01")
    assert (state.principal_outstanding, state.advance, state.penalty_owed,
            state.days_past_due) == (0, 0, 0, 0)
    cut = state.installments[2]
    assert cut.settled_early and cut.due_date == d("2018-08-01")
    assert fen_to_yuan(cut.interest) == "247.71" and cut.principal == fen("50000")
    assert all(i.cancelled and i.principal == 0 and i.interest == 0
               and i.paid_off_on == d("2018-08-01") for i in state.installments[3:])


def test_early_settlement_includes_overdue_and_penalty():
    terms, schedule = quarterly_example()
    payments = section_5_3_payments(schedule)
    quote = settlement_quote(schedule, terms, payments, d("2020-01-01"))
    # 11 days of the current period 2019-12-21 → 2020-01-01: 66.46
    assert fen_to_yuan(quote.current_interest) == "66.46"
    assert fen_to_yuan(quote.total) == "51142.68"   # 50000 + 66.46 + 1065.58 + 10.64
    state = loan_state(schedule, terms, payments + [settlement_payment(quote)], d("2020-01-01"))
    assert state.closed_on == d("2020-01-01") and state.advance == 0
    assert state.classification == "normal"


def test_a_settlement_payment_too_small_is_an_ordinary_payment():
    terms, schedule = quarterly_example()
    state = loan_state(schedule, terms, [pay("2018-03-21", "100.00", "settlement")],
                       d("2018-03-21"))
    assert state.closed_on is None
    assert fen_to_yuan(state.advance) == "63.75"     # 100 − 36.25, waits for 06-21


def test_settlement_with_money_to_spare_keeps_the_excess_as_advance():
    terms, schedule = loan("10000", "4.35", "2019-01-01", 12, "bullet")
    state = loan_state(schedule, terms, [pay("2019-01-11", "10100.00", "settlement")],
                       d("2019-02-01"))
    # 10 days: 10000 × 4.35 % × 10 / 360 = 12.083 → 12.08
    assert fen_to_yuan(state.installments[0].interest) == "12.08"
    assert fen_to_yuan(state.advance) == "87.92"
    assert state.total_paid == state.principal_paid + state.interest_paid + state.advance


@pytest.mark.parametrize("payment, field", [
    (Payment(d("2018-03-14"), 100), "payments[0].date"),
    (Payment(d("2018-04-01"), 0), "payments[0].amount"),
    (Payment(d("2018-04-01"), -5), "payments[0].amount"),
    (Payment(d("2018-04-01"), 5, "refund"), "payments[0].kind"),
])
def test_bad_payments_name_the_field(payment, field):
    terms, schedule = quarterly_example()
    with pytest.raises(DomainError) as info:
        loan_state(schedule, terms, [payment], d("2019-01-01"))
    assert info.value.field == field
