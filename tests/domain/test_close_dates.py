"""domain.close.close_dates: which dates a close request runs, or why it is refused (issue #8 §2)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from microcredit.domain.close import MAX_LOOKBACK_DAYS, CloseDateError, close_dates

TODAY = date(2026, 12, 3)
LAST = date(2026, 11, 30)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def test_the_business_date_after_the_last_close_catches_up_every_missed_date_in_order():
    assert close_dates(TODAY, TODAY, LAST) == days(date(2026, 12, 1), TODAY)


def test_an_earlier_date_not_yet_closed_is_a_catch_up_up_to_it():
    assert close_dates(date(2026, 12, 2), TODAY, LAST) == [date(2026, 12, 1), date(2026, 12, 2)]


def test_without_catch_up_only_the_requested_date_runs():
    assert close_dates(TODAY, TODAY, LAST, catch_up=False) == [TODAY]


def test_the_latest_closed_date_may_run_again():
    assert close_dates(LAST, TODAY, LAST) == [LAST]


def test_the_first_close_runs_just_the_requested_date():
    assert close_dates(date(2026, 7, 1), TODAY, None, first_disbursed=date(2025, 3, 15)) == [date(2026, 7, 1)]


@pytest.mark.parametrize("requested, last, words", [
    (date(2026, 12, 4), LAST, "晚于当前业务日期 2026-12-03"),
    (date(2027, 3, 1), None, "晚于当前业务日期"),
    (date(1990, 1, 1), LAST, "早于 2025-10-29（业务日期前 400 天）"),
    (date(1990, 1, 1), None, "业务日期前 400 天"),  # also when nothing was closed yet
    (date(2026, 11, 29), LAST, "早于最近一次已完成的日终 2026-11-30：会用旧状态覆盖当前状态"),
])
def test_refused_dates_say_which_rule(requested, last, words):
    with pytest.raises(CloseDateError) as exc:
        close_dates(requested, TODAY, last)
    assert exc.value.field == "date" and words in exc.value.message


def test_no_close_before_the_first_disbursement():
    with pytest.raises(CloseDateError, match="早于第一笔贷款的放款日期 2026-06-01"):
        close_dates(date(2026, 5, 31), TODAY, None, first_disbursed=date(2026, 6, 1))


def test_a_stale_close_is_closed_again_through_the_latest_date_then_the_catch_up():
    stale = date(2026, 11, 28)
    assert close_dates(TODAY, TODAY, LAST, stale_from=stale) == days(stale, TODAY)
    assert close_dates(LAST, TODAY, LAST, stale_from=stale) == days(stale, LAST)
    # any date from the stale one on asks for the same re-close; the current state ends at LAST
    assert close_dates(date(2026, 11, 29), TODAY, LAST, stale_from=stale) == days(stale, LAST)
    with pytest.raises(CloseDateError):
        close_dates(date(2026, 11, 27), TODAY, LAST, stale_from=stale)


def test_the_lookback_window_bounds_a_catch_up_and_a_stale_re_close():
    earliest = TODAY - timedelta(days=MAX_LOOKBACK_DAYS)
    long_ago = date(2020, 1, 1)
    assert close_dates(TODAY, TODAY, long_ago)[0] == earliest
    assert len(close_dates(TODAY, TODAY, long_ago)) == MAX_LOOKBACK_DAYS + 1
    assert close_dates(LAST, TODAY, LAST, stale_from=long_ago)[0] == earliest
