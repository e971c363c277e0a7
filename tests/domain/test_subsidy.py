"""DOMAIN §6: subsidy per instalment period — on time only, capped rate, ratio, 3-year window."""

from decimal import Decimal

import pytest

from microcredit.domain.errors import DomainError
from microcredit.domain.money import fen_to_yuan
from microcredit.domain.servicing import Payment, loan_state
from microcredit.domain.subsidy import SubsidyTerms, subsidy_by_period, total_subsidy
from tests.domain.helpers import d, loan, pay, quarterly_example, section_5_3_payments

FULL = SubsidyTerms(cap_rate=Decimal("4.35"), ratio=Decimal("1"))


def on_time(schedule):
    return [Payment(i.due_date, i.amount) for i in schedule.installments]


def test_paid_on_time_every_period_is_subsidised_at_the_contract_rate():
    terms, schedule = quarterly_example()
    periods = subsidy_by_period(schedule, terms, on_time(schedule), FULL, d("2021-03-15"))
    assert len(periods) == 13
    assert all(p.eligible for p in periods)
    assert [p.amount for p in periods] == [i.interest for i in schedule.installments]
    assert fen_to_yuan(total_subsidy(periods)) == "6621.64"
    assert periods[0].period_start == d("2018-03-15") and periods[0].due_date == d("2018-03-21")


def test_ratio_50_percent_rounds_once_half_up():
    terms, schedule = quarterly_example()
    half = FULL._replace(ratio=Decimal("0.5"))
    periods = subsidy_by_period(schedule, terms, on_time(schedule), half, d("2018-06-21"))
    assert [fen_to_yuan(p.amount) for p in periods[:2]] == ["18.13", "277.92"]
    assert not periods[2].eligible and periods[2].reason == "未到期"


def test_cap_below_the_contract_rate():
    # 4.75 % contract, disbursed 2021-06-01 (1Y LPR 3.85 in force): 10000 × 3.85 % × 365 / 360
    terms, schedule = loan("10000", "4.75", "2021-06-01", 12, "bullet")
    assert fen_to_yuan(schedule.installments[0].interest) == "481.60"
    terms_3_85 = SubsidyTerms(Decimal("3.85"), Decimal("1"))
    (period,) = subsidy_by_period(schedule, terms, [pay("2022-06-01", "10481.60")], terms_3_85,
                                  d("2022-06-30"))
    assert period.eligible and fen_to_yuan(period.amount) == "390.35"


def test_cap_above_the_contract_rate_uses_the_contract_rate():
    terms, schedule = loan("10000", "3.00", "2021-06-01", 12, "bullet")
    st = SubsidyTerms(Decimal("3.85"), Decimal("1"))
    (period,) = subsidy_by_period(schedule, terms, on_time(schedule), st, d("2022-06-01"))
    assert period.amount == schedule.installments[0].interest


def test_late_and_unpaid_and_not_yet_due_periods_earn_nothing():
    terms, schedule = quarterly_example()
    state = loan_state(schedule, terms, section_5_3_payments(schedule), d("2020-01-01"))
    periods = subsidy_by_period(schedule, terms, state, FULL)
    assert [p.eligible for p in periods] == [True] * 5 + [False] * 8
    assert [p.amount for p in periods[:5]] == [i.interest for i in schedule.installments[:5]]
    assert all(p.amount == 0 for p in periods[5:])
    assert "逾期" in periods[5].reason
    assert periods[6].reason == "未还清" and periods[8].reason == "未到期"


def test_days_after_the_three_year_window_do_not_count():
    terms, schedule = loan("50000", "4.35", "2018-03-15", 48, "interest_quarterly")
    periods = subsidy_by_period(schedule, terms, on_time(schedule), FULL, d("2022-03-15"))
    window = [p for p in periods if p.period_start <= d("2021-03-15") < p.due_date]
    (straddling,) = window
    assert (straddling.period_start, straddling.due_date) == (d("2020-12-21"), d("2021-03-21"))
    assert straddling.days_in_window == 84
    assert fen_to_yuan(straddling.amount) == "507.50"   # 84 of its 90 days
    later = [p for p in periods if p.period_start > d("2021-03-15")]
    assert later and all(p.amount == 0 and not p.eligible for p in later)


def test_grace_days():
    terms, schedule = loan("10000", "4.35", "2019-01-01", 12, "bullet")
    # 3 days late: penalty 10441.04 × 6.525 % × 3 / 360 = 5.68; 0.32 left as advance
    late = [pay("2020-01-04", "10441.04"), pay("2020-01-04", "6.00")]
    assert loan_state(schedule, terms, late, d("2020-01-04")).installments[0].paid_off_on == \
        d("2020-01-04")
    (strict,) = subsidy_by_period(schedule, terms, late, FULL, d("2020-02-01"))
    (lenient,) = subsidy_by_period(schedule, terms, late, FULL._replace(grace_days=5),
                                   d("2020-02-01"))
    assert not strict.eligible and strict.amount == 0
    assert lenient.eligible and fen_to_yuan(lenient.amount) == "441.04"


def test_amortising_periods_use_balance_times_rate_over_12():
    terms, schedule = loan("50000", "4.75", "2019-01-31", 12, "equal_installment")
    periods = subsidy_by_period(schedule, terms, on_time(schedule), FULL, d("2020-01-31"))
    # 50000 × 4.35 % / 12 = 181.25; (50000 − 4076.73) × 4.35 % / 12 = 166.4718…
    assert [fen_to_yuan(p.amount) for p in periods[:2]] == ["181.25", "166.47"]
    assert all(p.eligible for p in periods)


@pytest.mark.parametrize("field, st", [
    ("ratio", SubsidyTerms(Decimal("4.35"), Decimal("1.5"))),
    ("cap_rate", SubsidyTerms(Decimal("-1"), Decimal("1"))),
    ("max_years", SubsidyTerms(Decimal("4.35"), Decimal("1"), max_years=-1)),
])
def test_bad_subsidy_terms(field, st):
    terms, schedule = quarterly_example()
    with pytest.raises(DomainError) as info:
        subsidy_by_period(schedule, terms, [], st, d("2019-01-01"))
    assert info.value.field == field
