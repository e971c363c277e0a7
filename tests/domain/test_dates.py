"""DOMAIN §5.1: month arithmetic clamped to month end, 算头不算尾, strict ISO dates."""

import pytest

from microcredit.domain.dates import add_months, days_between, parse_iso_date
from microcredit.domain.errors import DomainError
from tests.domain.helpers import d


@pytest.mark.parametrize("start, months, expected", [
    ("2019-01-31", 1, "2019-02-28"),
    ("2020-01-31", 1, "2020-02-29"),
    ("2019-03-31", 1, "2019-04-30"),
    ("2019-01-31", 2, "2019-03-31"),
    ("2020-02-29", 12, "2021-02-28"),
    ("2020-02-29", 48, "2024-02-29"),
    ("2018-03-15", 36, "2021-03-15"),
    ("2019-12-31", 1, "2020-01-31"),
    ("2019-11-30", 3, "2020-02-29"),
    ("2019-03-31", -1, "2019-02-28"),
    ("2019-05-08", 0, "2019-05-08"),
])
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(d(start), months) == d(expected)


@pytest.mark.parametrize("a, b, days", [
    ("2018-03-15", "2018-03-21", 6),
    ("2018-03-21", "2018-06-21", 92),
    ("2019-05-08", "2020-05-08", 366),
    ("2024-02-21", "2024-03-21", 29),
    ("2023-02-21", "2023-03-21", 28),
    ("2019-01-01", "2019-01-01", 0),
])
def test_days_between_counts_the_first_day_not_the_last(a, b, days):
    assert days_between(d(a), d(b)) == days


def test_parse_iso_date_accepts_a_real_date():
    assert parse_iso_date("2020-02-29", "as_of") == d("2020-02-29")


@pytest.mark.parametrize("text, words", [
    ("2019-02-30", "不存在"), ("2019-13-01", "不存在"), ("2021-02-29", "不存在"),
    ("2019/02/01", "格式"), ("20190201", "格式"), ("", "格式"),
])
def test_parse_iso_date_names_the_field(text, words):
    with pytest.raises(DomainError) as info:
        parse_iso_date(text, "disbursed_on")
    assert info.value.field == "disbursed_on"
    assert words in info.value.message
    assert "disbursed_on" in str(info.value)


def test_parse_iso_date_rejects_non_strings():
    with pytest.raises(DomainError):
        parse_iso_date(20190201, "as_of")  # type: ignore[arg-type]
