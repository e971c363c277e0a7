"""DOMAIN §6 variant 直接贴付 (ADR 0004): interest split, on-time judged on the household's share, late → none."""

import datetime as dt
from decimal import Decimal

from microcredit.domain.servicing import Payment, loan_state
from microcredit.domain.subsidy import (SubsidyTerms, direct_subsidy_by_period, direct_subsidy_credits,
                                        interest_split, subsidy_by_period)
from tests.domain.helpers import d, loan, quarterly_example

HALF = SubsidyTerms(cap_rate=Decimal("4.35"), ratio=Decimal("0.5"))


def household_on_time(schedule, splits):
    return [Payment(i.due_date, i.principal + s.household_share) for i, s in zip(schedule.installments, splits)
            if i.principal + s.household_share > 0]


def test_split_sums_to_the_interest_and_equals_the_on_time_subsidy():
    for terms, schedule in (quarterly_example(), loan("10000", "4.75", "2021-06-01", 12, "equal_installment")):
        splits = interest_split(schedule, terms, HALF)
        assert all(s.household_share + s.subsidy_share == s.interest and s.subsidy_share >= 0 for s in splits)
        full = [Payment(i.due_date, i.amount) for i in schedule.installments]
        claim = subsidy_by_period(schedule, terms, full, HALF, schedule.maturity_date)
        assert [s.subsidy_share for s in splits] == [p.amount for p in claim]
        assert sum(s.subsidy_share for s in splits) > 0


def test_household_paying_its_share_on_time_closes_the_loan_with_the_credits():
    terms, schedule = quarterly_example()
    splits = interest_split(schedule, terms, HALF)
    payments = household_on_time(schedule, splits)
    credits = direct_subsidy_credits(schedule, terms, payments, HALF, schedule.maturity_date)
    assert sum(c.amount for c in credits) == sum(s.subsidy_share for s in splits)
    state = loan_state(schedule, terms, [*payments, *credits], schedule.maturity_date)
    assert state.closed_on == schedule.maturity_date and state.days_past_due == 0 and state.advance == 0
    # money conserved: household + subsidy = principal + interest
    assert sum(p.amount for p in payments) + sum(c.amount for c in credits) == \
        sum(i.principal + i.interest for i in schedule.installments)
    periods = direct_subsidy_by_period(schedule, terms, payments, HALF, schedule.maturity_date)
    assert [p.amount for p in periods] == [s.subsidy_share for s in splits]


def test_late_period_earns_no_share_and_the_household_owes_the_whole_interest():
    terms, schedule = quarterly_example()
    splits = interest_split(schedule, terms, HALF)
    payments = household_on_time(schedule, splits)
    late = schedule.installments[2]
    payments[2] = Payment(late.due_date + dt.timedelta(days=3), payments[2].amount)
    as_of = late.due_date + dt.timedelta(days=10)
    periods = direct_subsidy_by_period(schedule, terms, payments, HALF, as_of)
    assert periods[0].eligible and periods[1].eligible
    assert not periods[2].eligible and periods[2].amount == 0 and "不予贴息" in periods[2].reason
    credits = direct_subsidy_credits(schedule, terms, payments, HALF, as_of)
    state = loan_state(schedule, terms, [*payments, *credits], as_of)
    # the household paid only its share: the rest of that period's interest (+ penalty) is still owed
    inst = state.installments[2]
    assert inst.interest_unpaid == splits[2].subsidy_share + inst.penalty_paid and splits[2].subsidy_share > 0
    assert state.installments[2].paid_off_on is None
    # paying the whole rest later still earns nothing for that period
    rest = state.installments[2].interest_unpaid + state.installments[2].penalty_owed
    paid = [*payments, Payment(as_of, rest)]
    periods = direct_subsidy_by_period(schedule, terms, paid, HALF, as_of)
    assert not periods[2].eligible and periods[2].amount == 0


def test_not_yet_due_periods_earn_nothing():
    terms, schedule = quarterly_example()
    splits = interest_split(schedule, terms, HALF)
    periods = direct_subsidy_by_period(schedule, terms, household_on_time(schedule, splits)[:1], HALF,
                                       d("2018-03-21"))
    assert periods[0].eligible and all(not p.eligible and p.reason == "未到期" for p in periods[1:])
