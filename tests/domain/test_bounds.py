import datetime as dt

import pytest
from hypothesis import given, strategies as st

from microcredit.domain.bounds import MAX_DATE, MAX_ID, MIN_DATE, bounded_date, bounded_int
from microcredit.domain.errors import DomainError


@given(st.integers(min_value=1, max_value=MAX_ID))
def test_every_id_in_range_round_trips_through_text(n):
    assert bounded_int(str(n), "id") == n


@given(st.one_of(st.integers(max_value=0), st.integers(min_value=MAX_ID + 1)))
def test_ids_out_of_range_are_refused_naming_the_field(n):
    with pytest.raises(DomainError) as err:
        bounded_int(str(n), "job")
    assert err.value.field == "job"


@pytest.mark.parametrize("bad", ["abc", "", "1.5", "1e3", "a\x00b", True, 2.0, "x" * 5000])
def test_non_integers_are_refused(bad):
    with pytest.raises(DomainError):
        bounded_int(bad, "page")


@given(st.dates(min_value=MIN_DATE, max_value=MAX_DATE))
def test_dates_in_range_round_trip(day):
    assert bounded_date(day.isoformat(), "on") == day


@pytest.mark.parametrize("bad", ["2026-99-99", "9999-12-01", "1989-12-31", "2026-W50-2", "abc", "", "20261205x"])
def test_impossible_or_out_of_range_dates_are_refused(bad):
    with pytest.raises(DomainError) as err:
        bounded_date(bad, "date_from")
    assert err.value.field == "date_from"


def test_datetime_is_taken_as_its_date():
    assert bounded_date(dt.datetime(2026, 12, 3, 10), "on") == dt.date(2026, 12, 3)
