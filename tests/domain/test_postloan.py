"""Risk-flag priority and the post-loan check due rule (DOMAIN §8)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from microcredit.domain.postloan import (CHECK_DUE, CHECK_OVERDUE, CHECK_WINDOW_DAYS, FLAG_KINDS, anniversary,
                                         cached_flag, check_errors, check_status, flag_errors, gps_errors,
                                         next_check_due, top_flag)

D = dt.date


def test_first_check_is_due_thirty_days_after_disbursement():
    assert next_check_due(D(2026, 3, 10), None) == D(2026, 4, 9)
    assert check_status(D(2026, 3, 10), None, D(2026, 3, 10)) == (D(2026, 4, 9), CHECK_DUE)
    assert check_status(D(2026, 3, 10), None, D(2026, 4, 9)) == (D(2026, 4, 9), CHECK_DUE)
    assert check_status(D(2026, 3, 10), None, D(2026, 4, 10)) == (D(2026, 4, 9), CHECK_OVERDUE)


def test_then_yearly_on_the_anniversary():
    assert next_check_due(D(2026, 3, 10), D(2026, 3, 25)) == D(2027, 3, 10)
    assert next_check_due(D(2026, 3, 10), D(2026, 5, 1)) == D(2027, 3, 10)  # a late first check
    assert next_check_due(D(2026, 3, 10), D(2027, 3, 10)) == D(2028, 3, 10)
    assert next_check_due(D(2026, 3, 10), D(2027, 2, 20)) == D(2028, 3, 10)  # in the window before: that year's
    assert next_check_due(D(2026, 3, 10), D(2027, 1, 20)) == D(2027, 3, 10)  # too early for that year
    assert next_check_due(D(2026, 3, 10), D(2029, 6, 1)) == D(2030, 3, 10)  # years unchecked: the next one
    assert check_status(D(2026, 3, 10), D(2026, 3, 25), D(2027, 2, 7)) == (D(2027, 3, 10), "")
    assert check_status(D(2026, 3, 10), D(2026, 3, 25), D(2027, 2, 8)) == (D(2027, 3, 10), CHECK_DUE)
    assert check_status(D(2026, 3, 10), D(2026, 3, 25), D(2027, 3, 11)) == (D(2027, 3, 10), CHECK_OVERDUE)


def test_leap_day_anniversary_falls_on_28_february():
    assert anniversary(D(2024, 2, 29), 1) == D(2025, 2, 28)
    assert anniversary(D(2024, 2, 29), 4) == D(2028, 2, 29)
    assert next_check_due(D(2024, 2, 29), D(2024, 3, 5)) == D(2025, 2, 28)


days = st.dates(min_value=D(2000, 1, 1), max_value=D(2060, 12, 31))


@given(days, st.integers(0, 4000))
def test_next_due_is_an_anniversary_after_the_check_window(disbursed, gap):
    checked = disbursed + dt.timedelta(days=gap)
    due = next_check_due(disbursed, checked)
    assert due > checked + dt.timedelta(days=CHECK_WINDOW_DAYS)
    assert (due.month, due.day) == (disbursed.month, disbursed.day) or (disbursed.month, disbursed.day) == (2, 29)
    assert due <= checked + dt.timedelta(days=CHECK_WINDOW_DAYS + 366)  # never skips a year
    assert due.year > disbursed.year


@given(days, st.integers(0, 4000), st.integers(0, 400))
def test_a_later_check_never_brings_the_next_due_date_forward(disbursed, gap, more):
    first = disbursed + dt.timedelta(days=gap)
    assert next_check_due(disbursed, first + dt.timedelta(days=more)) >= next_check_due(disbursed, first)


@given(days, st.one_of(st.none(), st.integers(0, 4000)), st.integers(0, 5000))
def test_status_is_overdue_exactly_after_the_due_date(disbursed, gap, offset):
    last = None if gap is None else disbursed + dt.timedelta(days=gap)
    on = disbursed + dt.timedelta(days=offset)
    due, status = check_status(disbursed, last, on)
    assert (status == CHECK_OVERDUE) == (on > due)
    if status == "":
        assert last is not None and on < due - dt.timedelta(days=CHECK_WINDOW_DAYS)


def test_top_flag_and_the_cached_value():
    assert top_flag([]) == ""
    assert top_flag(["migration", "death", "usage_failed"]) == "death"
    assert top_flag(["migration", "bogus"]) == "migration"
    assert cached_flag("", ["disaster", "migration"]) == "disaster"
    assert cached_flag("migration", []) == ""
    assert cached_flag("malicious_default", ["death"]) == "malicious_default"  # blacklisting's own, never replaced
    assert cached_flag("malicious_default", []) == "malicious_default"


@given(st.lists(st.sampled_from(FLAG_KINDS)))
def test_top_flag_is_one_of_the_open_flags_and_outranks_the_others(kinds):
    top = top_flag(kinds)
    assert (top == "") == (not kinds)
    assert all(FLAG_KINDS.index(top) <= FLAG_KINDS.index(k) for k in kinds)


def test_every_failure_at_once():
    assert {e.field for e in flag_errors("bogus", " ")} == {"kind", "reason"}
    assert [e.field for e in flag_errors("death", "x" * 501)] == ["reason"]
    assert flag_errors("death", "户主病故") == []
    errors = check_errors(passed=False, finding="", checked_on=D(2027, 1, 1), disbursed_on=D(2026, 1, 1),
                          today=D(2026, 6, 1), latitude=91, longitude=200)
    assert {e.field for e in errors} == {"finding", "checked_on", "latitude", "longitude"}
    assert check_errors(passed=None, finding="x" * 1001, checked_on=D(2025, 1, 1), disbursed_on=D(2026, 1, 1),
                        today=D(2026, 6, 1))[2].field == "checked_on"
    assert gps_errors(30, None)[0].message == "经纬度须同时填写"
    assert check_errors(passed=True, finding="", checked_on=D(2026, 2, 1), disbursed_on=D(2026, 1, 1),
                        today=D(2026, 6, 1), latitude=34.05, longitude=111.04) == []
