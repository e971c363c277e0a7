"""DOMAIN §4, §12: extension (展期) and renewal (续贷, 无还本续贷)."""

import pytest

from microcredit.domain.errors import DomainError
from microcredit.domain.restructuring import extend, max_extension_months, renew
from microcredit.domain.servicing import Payment, loan_state
from tests.domain.helpers import d, fen, loan, quarterly_example


def paid_until(schedule, day):
    return [Payment(i.due_date, i.amount) for i in schedule.installments if i.due_date <= d(day)]


def test_extending_an_interest_only_loan_keeps_past_instalments():
    terms, schedule = quarterly_example()
    payments = paid_until(schedule, "2020-12-21")
    new_terms, new_schedule = extend(terms, schedule, payments, on=d("2021-01-05"), extra_months=6)
    assert new_terms.term_months == 42 and new_schedule.maturity_date == d("2021-09-15")
    assert new_schedule.installments[:12] == schedule.installments[:12]
    last = new_schedule.installments[-1]
    assert (last.period_start, last.due_date, last.principal) == (
        d("2021-06-21"), d("2021-09-15"), fen("50000"))
    assert loan_state(new_schedule, new_terms, payments, d("2021-03-16")).days_past_due == 0


def test_extending_an_amortising_loan_reamortises_the_remaining_balance():
    terms, schedule = loan("50000", "4.75", "2019-01-31", 12, "equal_installment")
    payments = paid_until(schedule, "2019-06-30")
    new_terms, new_schedule = extend(terms, schedule, payments, on=d("2019-07-01"),
                                     new_maturity=d("2020-07-31"))
    assert new_terms.term_months == 18
    assert new_schedule.installments[:5] == schedule.installments[:5]
    assert len(new_schedule.installments) == 18
    assert sum(i.principal for i in new_schedule.installments) == terms.principal
    assert new_schedule.installments[5].due_date == d("2019-07-31")


@pytest.mark.parametrize("term, limit", [(6, 6), (12, 12), (24, 12), (36, 18), (60, 30), (84, 36)])
def test_extension_limits_of_the_lending_rules(term, limit):
    assert max_extension_months(term) == limit


@pytest.mark.parametrize("kwargs, field", [
    ({"on": d("2019-01-02"), "extra_months": 19}, "extra_months"),
    ({"on": d("2019-01-02"), "extra_months": 0}, "extra_months"),
    ({"on": d("2021-03-15"), "extra_months": 6}, "on"),                 # at maturity: too late
    ({"on": d("2019-01-02"), "new_maturity": d("2021-09-14")}, "new_maturity"),
    ({"on": d("2019-01-02")}, "extra_months"),
])
def test_extension_refusals_name_the_field(kwargs, field):
    terms, schedule = quarterly_example()
    with pytest.raises(DomainError) as info:
        extend(terms, schedule, paid_until(schedule, "2019-01-01"), **kwargs)
    assert info.value.field == field


def test_extension_of_an_overdue_loan_is_refused():
    terms, schedule = quarterly_example()
    with pytest.raises(DomainError) as info:
        extend(terms, schedule, [], on=d("2019-01-02"), extra_months=6)
    assert "逾期" in info.value.message


def test_renewal_without_principal_repayment():
    terms, schedule = loan("10000", "4.35", "2019-01-01", 12, "bullet")
    plan = renew(terms, schedule, [], on=d("2020-01-01"), new_term_months=12,
                 without_principal_repayment=True)
    assert plan.new_terms.principal == fen("10000")
    assert plan.new_terms.disbursed_on == d("2020-01-01")
    assert plan.cash_from_borrower == fen("441.04")
    assert plan.old_loan_payment == Payment(d("2020-01-01"), fen("10441.04"), "settlement")
    old = loan_state(schedule, terms, [plan.old_loan_payment], d("2020-01-01"))
    assert old.closed_on == d("2020-01-01") and old.advance == 0
    assert plan.new_schedule.maturity_date == d("2021-01-01")


def test_ordinary_renewal_settles_in_cash_first():
    terms, schedule = loan("10000", "4.35", "2019-01-01", 12, "bullet")
    plan = renew(terms, schedule, [], on=d("2019-07-01"), new_term_months=12,
                 new_principal=fen("20000"))
    assert plan.cash_from_borrower == plan.quote.total
    assert plan.new_terms.principal == fen("20000")


def test_renewal_without_principal_repayment_requires_no_overdue():
    terms, schedule = loan("10000", "4.35", "2019-01-01", 12, "bullet")
    with pytest.raises(DomainError):
        renew(terms, schedule, [], on=d("2020-01-05"), new_term_months=12,
              without_principal_repayment=True)
