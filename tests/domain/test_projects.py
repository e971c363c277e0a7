"""Legacy 分贷统还 projects' rules (DOMAIN §4; issue #12 §10): the link agreement's payouts, staged release."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from microcredit.domain.projects import (
    add_years,
    is_payout_late,
    payout_errors,
    payout_minimum,
    payout_schedule,
    stage_plan_errors,
    stage_release_errors,
)

DAY = dt.date(2026, 6, 1)
shares = st.integers(min_value=1, max_value=10**9)
starts = st.dates(min_value=dt.date(2014, 1, 1), max_value=dt.date(2030, 12, 31))


@given(shares, starts)
def test_three_yearly_payouts_each_at_least_ten_percent(share, start):
    schedule = payout_schedule(share, start)
    assert [d.year for d in schedule] == [1, 2, 3]
    for d in schedule:
        assert d.minimum * 10 >= share  # ≥ 10 % of the share
        assert d.minimum * 10 < share + 10  # and no more than a fen above it (rounded up to the fen)
        assert isinstance(d.minimum, int)
    assert [d.due_on for d in schedule] == sorted(d.due_on for d in schedule)
    for k, d in enumerate(schedule, start=1):
        assert d.due_on.month == start.month and d.due_on.year == start.year + k
        assert 365 * k <= (d.due_on - start).days <= 366 * k


@given(shares, st.integers(min_value=0, max_value=10000))
def test_minimum_is_the_rate_rounded_up(share, rate_bp):
    m = payout_minimum(share, rate_bp)
    assert m * 10000 >= share * rate_bp > (m - 1) * 10000 or (share * rate_bp == 0 and m == 0)


def test_leap_day_agreement():
    assert add_years(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
    assert payout_schedule(5_000_000, dt.date(2024, 2, 29))[0] == (1, dt.date(2025, 2, 28), 500_000)


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 1, 1)), st.integers(0, 180),
       st.integers(-400, 400), st.booleans())
def test_late_only_after_due_plus_grace_and_never_when_paid(due, grace, offset, paid):
    today = due + dt.timedelta(days=offset)
    late = is_payout_late(due, paid, today, grace)
    assert late == (not paid and offset > grace)


def test_payout_errors_every_failure_at_once():
    errors = payout_errors(amount=100, minimum=500_000, paid_on=DAY + dt.timedelta(days=1), business_day=DAY,
                           agreement_start=DAY)
    assert {e.field for e in errors} == {"amount", "paid_on"}
    assert payout_errors(amount=500_000, minimum=500_000, paid_on=DAY, business_day=DAY, agreement_start=DAY) == []
    assert payout_errors(amount=0, minimum=0, paid_on=DAY, business_day=DAY, agreement_start=DAY)[0].field == "amount"


def test_a_stage_is_released_only_with_progress_evidence_within_the_loans():
    ok = {"amount": 100, "planned": 100, "released_total_others": 0, "loans_amount": 1000, "progress_note": "主体完工",
          "progress_documents": 1, "released_on": DAY, "business_day": DAY}
    assert stage_release_errors(**ok) == []
    assert {e.field for e in stage_release_errors(**{**ok, "progress_note": " ", "progress_documents": 0})} == \
        {"progress_note", "progress_document"}
    assert stage_release_errors(**{**ok, "amount": 101})[0].field == "released_amount"
    assert stage_release_errors(**{**ok, "released_total_others": 901})[0].field == "released_amount"
    assert stage_release_errors(**{**ok, "released_on": DAY + dt.timedelta(days=1)})[0].field == "released_on"
    assert stage_plan_errors(planned=600, planned_total_others=500, loans_amount=1000)[0].field == "planned_amount"
    assert stage_plan_errors(planned=500, planned_total_others=500, loans_amount=1000) == []


@given(st.lists(st.integers(min_value=1, max_value=10**6), max_size=8), st.integers(min_value=0, max_value=5 * 10**6))
def test_released_total_never_exceeds_the_loans(amounts, loans):
    released = 0
    for a in amounts:
        if not stage_release_errors(amount=a, planned=a, released_total_others=released, loans_amount=loans,
                                    progress_note="进度", progress_documents=1, released_on=DAY, business_day=DAY):
            released += a
    assert released <= loans
