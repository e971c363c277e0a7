"""Rules that lived outside domain/ (issue #10 §5): the NPL ratio, the credit village, overdue
episodes, eligibility, the quota, the disbursement contract, the time-to-money limit."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from microcredit.domain.classification import CLASSES, NPL_CLASSES, npl_balance, npl_ratio
from microcredit.domain.credit_regions import RegionFacts, credit_region
from microcredit.domain.households import DEFAULT_ELIGIBLE_STATUSES, HouseholdStatus
from microcredit.domain.monitoring import overdue_episodes, overdue_spells
from microcredit.domain.policy import (
    ApplicantFacts, ApplicationRequest, Disbursement, FundQuota, PolicyTerms, check_application, check_disbursement,
    eligibility_failures, quota_failures, quota_limit,
)
from microcredit.domain.workflow import APPLICATION, over_total_limit, total_limit_days

loans = st.lists(st.tuples(st.sampled_from(CLASSES), st.integers(0, 10**9)), max_size=30)


@given(loans)
def test_npl_ratio_is_in_0_1_and_equals_the_one_from_class_totals(rows):
    balance = sum(o for _c, o in rows)
    by_class = {c: sum(o for k, o in rows if k == c) for c in CLASSES}
    ratio = npl_ratio(balance, npl_balance(rows))
    assert 0 <= ratio <= 1
    assert ratio == (Fraction(sum(by_class[c] for c in NPL_CLASSES), balance) if balance else 0)


def test_npl_ratio_of_an_empty_portfolio_is_zero():
    assert npl_ratio(0, 0) == 0 and isinstance(npl_ratio(3, 1), Fraction)


def test_credit_village_needs_share_npl_and_no_malicious_default():
    assert credit_region(RegionFacts(10, 8, 10000, 200, 0)) == (Decimal("0.8000"), Decimal("0.0200"), True)
    assert not credit_region(RegionFacts(10, 7, 10000, 0, 0)).granted  # 70 % rated
    assert not credit_region(RegionFacts(10, 10, 10000, 201, 0)).granted  # 2.01 % NPL
    assert not credit_region(RegionFacts(10, 10, 10000, 0, 1)).granted  # a malicious default
    assert credit_region(RegionFacts(0, 0, 0, 0, 0)) == (Decimal(0), Decimal(0), False)


def test_credit_village_judges_the_exact_ratio_not_the_rounded_one():
    # 2.00004 % rounds to 0.0200 for the record but is above the 2 % line
    got = credit_region(RegionFacts(1, 1, 10**7, 200004, 0))
    assert got.npl_ratio == Decimal("0.0200") and not got.granted


D = date(2024, 1, 1)


def test_an_ended_overdue_spell_is_an_episode():
    paid_late = [(D, D + timedelta(days=10))]
    assert overdue_spells(paid_late, D + timedelta(days=100)) == [(D + timedelta(days=1), D + timedelta(days=10))]
    assert overdue_episodes([(paid_late, None)], since=D - timedelta(days=1), on=D + timedelta(days=100)) == 1


def test_paid_on_the_due_date_is_no_episode_and_touching_spells_are_one():
    assert overdue_spells([(D, D)], D + timedelta(days=30)) == []
    # the first instalment is paid the day the second becomes overdue: one spell
    inst = [(D, D + timedelta(days=31)), (D + timedelta(days=30), D + timedelta(days=45))]
    assert len(overdue_spells(inst, D + timedelta(days=90))) == 1
    # two loans overdue at the same time are two episodes
    assert overdue_episodes([(inst, None), (inst, None)], since=D, on=D + timedelta(days=90)) == 2


def test_episodes_outside_the_window_and_not_yet_overdue_do_not_count():
    inst = [(D, D + timedelta(days=5)), (D + timedelta(days=400), None)]
    assert overdue_episodes([(inst, None)], since=D + timedelta(days=100), on=D + timedelta(days=400)) == 0
    assert overdue_episodes([(inst, None)], since=D + timedelta(days=100), on=D + timedelta(days=401)) == 1
    # a loan closed unpaid (written off) ends its spell on its closing day
    assert overdue_spells([(D, None)], D + timedelta(days=90), closed_on=D + timedelta(days=60))[0][1] == \
        D + timedelta(days=60)


dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31))


@given(st.lists(st.tuples(dates, st.one_of(st.none(), dates)), max_size=12), dates)
def test_spells_are_disjoint_ordered_and_cover_exactly_the_overdue_days(inst, on):
    inst = [(due, paid if paid is None or paid <= on else None) for due, paid in inst]
    spells = overdue_spells(inst, on)
    assert all(a < b for a, b in spells) and all(b1 < a2 for (_a1, b1), (a2, _b2) in zip(spells, spells[1:]))
    day = date(2020, 1, 1)
    while day <= on:
        overdue = any(due < day and (paid is None or day < paid) for due, paid in inst)
        assert overdue == any(a <= day < b for a, b in spells), day
        day += timedelta(days=23)


def test_eligibility_by_status_and_wubao():
    assert eligibility_failures("poor", False, DEFAULT_ELIGIBLE_STATUSES) == []
    assert [f.field for f in eligibility_failures("general", True, DEFAULT_ELIGIBLE_STATUSES)] == ["status", "status"]
    assert HouseholdStatus.GENERAL not in DEFAULT_ELIGIBLE_STATUSES and HouseholdStatus.POOR == "poor"


TERMS = PolicyTerms("e", "脱贫人口小额信贷", 5000000, 36, ("poor", "exited"))


def test_borrower_and_open_application_are_rules_first_and_last():
    facts = ApplicantFacts("poor", False, date(1980, 1, 1), "AA", 3000000, borrower_in_household=False,
                           open_applications=1)
    got = check_application(TERMS, facts, ApplicationRequest(date(2026, 1, 5), 1000000, 12, purpose="养牛"))
    assert [f.rule for f in got] == ["借款人", "在途申请"]


@given(st.lists(st.tuples(st.integers(-10**8, 10**8), st.integers(1, 10)), max_size=5), st.integers(0, 10**9),
       st.integers(1, 10**8))
def test_quota_limit_ignores_negative_balances_and_the_rule_compares_with_it(accounts, outstanding, amount):
    limit = quota_limit(accounts)
    assert limit == sum(b * k for b, k in accounts if b > 0)
    assert bool(quota_failures(FundQuota(limit, 1, outstanding), amount)) == (outstanding + amount > limit)
    assert quota_failures(None, amount) == []


def test_disbursement_contract_rules():
    d = Disbursement(date(2026, 1, 5), 1000000, 1000001, 48, Decimal("4.5"), date(2026, 1, 8), date(2026, 1, 10))
    assert [e.field for e in check_disbursement(TERMS, d, Decimal("3.45"))] == [
        "amount", "term_months", "annual_rate", "disbursed_on"]
    assert [e.field for e in check_disbursement(None, d._replace(amount=1000000, term_months=12,
                                                                 disbursed_on=date(2026, 1, 10)), None)] == ["term_months"]
    assert check_disbursement(TERMS, d._replace(amount=1, term_months=36, notice_ends_on=None), Decimal("4.5")) == []


def test_time_to_money_limit_is_the_sum_of_the_application_steps():
    assert total_limit_days(APPLICATION) == 7
    assert not over_total_limit(APPLICATION, 7) and over_total_limit(APPLICATION, 7.5)
