"""Properties of the loan arithmetic that hold for every loan (DOMAIN §5–§7)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from microcredit.domain.classification import CLASSES
from microcredit.domain.loss_sharing import share_loss
from microcredit.domain.schedules import METHODS, LoanTerms, build_schedule
from microcredit.domain.servicing import Payment, loan_state, settlement_quote
from microcredit.domain.subsidy import SubsidyTerms, subsidy_by_period

FAST = settings(max_examples=200, deadline=None)

terms_st = st.builds(
    LoanTerms,
    principal=st.integers(min_value=1, max_value=10_000_000),
    annual_rate=st.integers(min_value=0, max_value=1200).map(lambda n: Decimal(n) / 100),
    disbursed_on=st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 12, 31)),
    term_months=st.integers(min_value=1, max_value=60),
    method=st.sampled_from(METHODS),
)


@st.composite
def loans_with_payments(draw):
    terms = draw(terms_st)
    span = terms.term_months * 31 + 500
    raw = draw(st.lists(st.tuples(st.integers(0, span), st.integers(1, 3_000_000),
                                  st.sampled_from(["regular"] * 5 + ["settlement"])),
                        max_size=12))
    payments = [Payment(terms.disbursed_on + timedelta(days=o), a, k) for o, a, k in raw]
    as_of = terms.disbursed_on + timedelta(days=draw(st.integers(0, span + 400)))
    return terms, build_schedule(terms), payments, as_of


@FAST
@given(terms_st)
def test_instalment_principals_sum_to_the_principal_and_nothing_is_negative(terms):
    schedule = build_schedule(terms)
    assert sum(i.principal for i in schedule.installments) == terms.principal
    assert all(i.principal >= 0 and i.interest >= 0 for i in schedule.installments)
    assert schedule.installments[-1].due_date == schedule.maturity_date == terms.maturity_date
    assert schedule.installments[0].period_start == terms.disbursed_on
    for prev, nxt in zip(schedule.installments, schedule.installments[1:]):
        assert prev.due_date == nxt.period_start
    assert all(i.days > 0 for i in schedule.installments)


@FAST
@given(loans_with_payments())
def test_money_is_conserved_and_never_negative(case):
    terms, schedule, payments, as_of = case
    s = loan_state(schedule, terms, payments, as_of)
    assert s.total_paid == s.penalty_paid + s.interest_paid + s.principal_paid + s.advance
    assert s.total_paid == sum(p.amount for p in payments if p.date <= as_of)
    for value in (s.principal_outstanding, s.overdue_principal, s.overdue_interest,
                  s.penalty_owed, s.advance, s.days_past_due):
        assert value >= 0
    for i in s.installments:
        assert 0 <= i.principal_paid <= i.principal and 0 <= i.interest_paid <= i.interest
        assert 0 <= i.penalty_paid <= i.penalty_accrued
        assert i.paid_off_on is None or i.paid_off_on <= as_of
    assert s.principal_paid + s.principal_outstanding == terms.principal


@FAST
@given(loans_with_payments(), st.integers(1, 800))
def test_without_payments_days_past_due_and_class_never_improve(case, later):
    terms, schedule, payments, as_of = case
    before = [p for p in payments if p.date <= as_of]
    a = loan_state(schedule, terms, before, as_of)
    b = loan_state(schedule, terms, before, as_of + timedelta(days=later))
    assert b.days_past_due >= a.days_past_due
    assert CLASSES.index(b.classification) >= CLASSES.index(a.classification)
    assert b.penalty_owed >= a.penalty_owed


@FAST
@given(loans_with_payments())
def test_paying_the_settlement_quote_closes_the_loan(case):
    terms, schedule, payments, as_of = case
    before = [p for p in payments if p.date <= as_of]
    quote = settlement_quote(schedule, terms, before, as_of)
    if quote.total <= 0:
        return
    s = loan_state(schedule, terms, before + [Payment(as_of, quote.total, "settlement")], as_of)
    assert s.closed_on is not None and s.closed_on <= as_of
    assert (s.principal_outstanding, s.penalty_owed, s.days_past_due, s.advance) == (0, 0, 0, 0)


@FAST
@given(loans_with_payments(), st.integers(0, 1200).map(lambda n: Decimal(n) / 100),
       st.sampled_from([Decimal(1), Decimal("0.5"), Decimal("0.3")]))
def test_subsidy_never_exceeds_the_interest_and_needs_an_on_time_payment(case, cap, ratio):
    terms, schedule, payments, as_of = case
    state = loan_state(schedule, terms, payments, as_of)
    periods = subsidy_by_period(schedule, terms, state, SubsidyTerms(cap, ratio))
    assert len(periods) == len(schedule.installments)
    for p, inst in zip(periods, state.installments):
        assert p.amount >= 0
        assert p.amount == 0 or (p.eligible and inst.paid_off_on is not None
                                 and inst.paid_off_on <= inst.due_date <= as_of)
        if not inst.settled_early:
            assert p.amount <= inst.interest + 1


@FAST
@given(st.integers(0, 10**12),
       st.lists(st.integers(0, 10_000), min_size=1, max_size=6).filter(lambda xs: sum(xs) > 0))
def test_shares_sum_to_the_loss(loss, weights):
    total = sum(weights)
    ratios = [Decimal(w * 10_000 // total) / 10_000 for w in weights[:-1]]
    ratios.append(Decimal(1) - sum(ratios, Decimal(0)))     # exact: sums to 1
    shares = share_loss(loss, [(f"p{k}", r) for k, r in enumerate(ratios)])
    assert sum(a for _, a in shares) == loss
    assert all(a >= 0 for _, a in shares[:-1])
    # the last party's share differs from its exact share by at most the others' roundings
    assert abs(shares[-1][1] * 2 - loss * ratios[-1] * 2) <= len(ratios) - 1
