"""DOMAIN §5.2: schedules of the five methods, to the fen."""

from decimal import Decimal

import pytest

from microcredit.domain.errors import DomainError
from microcredit.domain.money import fen_to_yuan
from microcredit.domain.schedules import LoanTerms, build_schedule, validate_terms
from tests.domain.helpers import d, fen, loan


def rows(schedule, which):
    """(due, principal, interest) of the chosen instalments, in yuan strings."""
    insts = schedule.installments
    return [(insts[k].due_date.isoformat(), fen_to_yuan(insts[k].principal),
             fen_to_yuan(insts[k].interest)) for k in which]


# (principal, rate, disbursed, months, method) → first instalments, last, count, total interest
WORKED_EXAMPLES = [
    (("50000", "4.35", "2018-03-15", 36, "interest_quarterly"),
     [("2018-03-21", "0.00", "36.25"), ("2018-06-21", "0.00", "555.83"),
      ("2018-09-21", "0.00", "555.83"), ("2018-12-21", "0.00", "549.79")],
     ("2021-03-15", "50000.00", "507.50"), 13, "6621.64"),
    (("30000", "4.35", "2019-05-08", 12, "bullet"),
     [("2020-05-08", "30000.00", "1326.75")],
     ("2020-05-08", "30000.00", "1326.75"), 1, "1326.75"),
    (("20000", "3.45", "2023-12-31", 12, "interest_monthly"),
     [("2024-01-21", "0.00", "40.25"), ("2024-02-21", "0.00", "59.42"),
      ("2024-03-21", "0.00", "55.58")],
     ("2024-12-31", "20000.00", "19.17"), 13, None),
    (("50000", "4.75", "2019-01-31", 12, "equal_installment"),
     [("2019-02-28", "4076.73", "197.92"), ("2019-03-31", "4092.87", "181.78")],
     ("2020-01-31", "4257.77", "16.85"), 12, None),
    (("24000", "3.85", "2021-03-10", 24, "equal_principal"),
     [("2021-04-10", "1000.00", "77.00"), ("2021-05-10", "1000.00", "73.79")],
     ("2023-03-10", "1000.00", "3.21"), 24, None),
]


@pytest.mark.parametrize("args, first, last, count, total", WORKED_EXAMPLES,
                         ids=[w[0][4] for w in WORKED_EXAMPLES])
def test_worked_examples_of_section_5_2(args, first, last, count, total):
    _, schedule = loan(*args)
    assert rows(schedule, range(len(first))) == first
    assert rows(schedule, [-1]) == [last]
    assert len(schedule.installments) == count
    assert schedule.maturity_date.isoformat() == last[0]
    assert sum(i.principal for i in schedule.installments) == fen(args[0])
    if total is not None:
        assert fen_to_yuan(schedule.total_interest) == total


def test_equal_installment_pays_the_same_each_month_but_the_last():
    _, schedule = loan("50000", "4.75", "2019-01-31", 12, "equal_installment")
    amounts = {i.principal + i.interest for i in schedule.installments[:-1]}
    assert amounts == {fen("4274.65")}
    assert [i.due_date.isoformat() for i in schedule.installments[:4]] == [
        "2019-02-28", "2019-03-31", "2019-04-30", "2019-05-31"]


def test_interest_only_periods_chain_and_due_the_day_after_settlement():
    _, schedule = loan("50000", "4.35", "2018-03-15", 36, "interest_quarterly")
    insts = schedule.installments
    assert insts[0].period_start == d("2018-03-15") and insts[0].days == 6
    for prev, nxt in zip(insts, insts[1:]):
        assert nxt.period_start == prev.due_date == prev.period_end
    assert [i.days for i in insts[:5]] == [6, 92, 92, 91, 90]
    assert insts[-1].period_start == d("2020-12-21") and insts[-1].days == 84


@pytest.mark.parametrize("disbursed, months, expected", [
    # disbursement on a settlement day: a 1-day first period (0.0435 × 10000 / 360 = 1.2083);
    # maturity 06-20 is itself a settlement day, so 06-20 is not used: 11 + 30 + 31 + 19 = 91
    ("2019-03-20", 3, [("2019-03-20", "2019-03-21", "1.21"), ("2019-03-21", "2019-06-20", "109.96")]),
    # the day after: the first settlement used is 06-20 (92 days)
    ("2019-03-21", 6, [("2019-03-21", "2019-06-21", "111.17"), ("2019-06-21", "2019-09-21", "111.17")]),
    # maturity on a settlement day 03-20 (2020 leap): 11 + 31 + 29 + 19 = 90 days
    ("2019-12-20", 3, [("2019-12-20", "2019-12-21", "1.21"), ("2019-12-21", "2020-03-20", "108.75")]),
    # maturity the day after a settlement day (03-21): one period of 11 + 31 + 29 + 20 = 91 days
    ("2019-12-21", 3, [("2019-12-21", "2020-03-21", "109.96")]),
    # maturity two days after: settlement used (90 days), then a 1-day last period
    ("2019-12-22", 3, [("2019-12-22", "2020-03-21", "108.75"), ("2020-03-21", "2020-03-22", "1.21")]),
])
def test_quarterly_settlement_days_at_the_edges(disbursed, months, expected):
    _, schedule = loan("10000", "4.35", disbursed, months, "interest_quarterly")
    got = [(i.period_start.isoformat(), i.due_date.isoformat(), fen_to_yuan(i.interest))
           for i in schedule.installments]
    assert got == expected
    assert schedule.installments[-1].principal == fen("10000")


@pytest.mark.parametrize("rate, disbursed, months, days, interest", [
    # leap-day disbursement: 2020-02-29 + 12 months = 2021-02-28, 365 days
    ("4.35", "2020-02-29", 12, 365, "441.04"),
    # 2024 is a leap year: 366 days
    ("3.45", "2024-01-01", 12, 366, "350.75"),
    ("4.35", "2023-01-01", 12, 365, "441.04"),
])
def test_bullet_leap_years(rate, disbursed, months, days, interest):
    _, schedule = loan("10000", rate, disbursed, months, "bullet")
    (only,) = schedule.installments
    assert only.days == days
    assert fen_to_yuan(only.interest) == interest


def test_month_end_disbursement_amortises_on_clamped_month_ends():
    _, schedule = loan("12000", "3.85", "2020-01-31", 3, "equal_principal")
    assert [i.due_date.isoformat() for i in schedule.installments] == [
        "2020-02-29", "2020-03-31", "2020-04-30"]
    assert [fen_to_yuan(i.interest) for i in schedule.installments] == ["38.50", "25.67", "12.83"]


def test_zero_rate_equal_installment():
    _, schedule = loan("100", "0", "2021-01-01", 3, "equal_installment")
    assert [i.principal for i in schedule.installments] == [3333, 3333, 3334]
    assert schedule.total_interest == 0


def test_tiny_equal_principal_never_goes_negative():
    _, schedule = loan("0.02", "4.35", "2021-01-01", 4, "equal_principal")
    assert [i.principal for i in schedule.installments] == [1, 1, 0, 0]


@pytest.mark.parametrize("field, kwargs", [
    ("principal", {"principal": -100}),
    ("principal", {"principal": 0}),
    ("annual_rate", {"annual_rate": Decimal("-1")}),
    ("annual_rate", {"annual_rate": Decimal("40")}),
    ("term_months", {"term_months": 0}),
    ("term_months", {"term_months": 361}),
    ("method", {"method": "balloon"}),
])
def test_validate_terms_names_the_field_in_chinese(field, kwargs):
    base = dict(principal=100000, annual_rate=Decimal("4.35"), disbursed_on=d("2020-01-01"),
                term_months=12, method="bullet")
    base.update(kwargs)
    errors = validate_terms(LoanTerms(**base))
    assert [e.field for e in errors] == [field]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in errors[0].message)
    with pytest.raises(DomainError) as info:
        build_schedule(LoanTerms(**base))
    assert info.value.field == field
