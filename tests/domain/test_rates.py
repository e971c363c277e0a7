"""DOMAIN §11: the shipped reference rates and the policy cap rate."""

from decimal import Decimal

import pytest

from microcredit.domain.errors import DomainError
from microcredit.domain.rates import SHIPPED_RATES, RateFixing, cap_rate, rate_in_force
from tests.domain.helpers import d


@pytest.mark.parametrize("kind, tenor, on, rate", [
    ("benchmark", "1y", "2015-10-24", "4.35"),
    ("benchmark", "1-5y", "2018-03-15", "4.75"),
    ("benchmark", "5y+", "2020-01-01", "4.90"),
    ("lpr", "1y", "2019-08-20", "4.25"),
    ("lpr", "1y", "2019-09-19", "4.25"),
    ("lpr", "1y", "2019-09-20", "4.20"),
    ("lpr", "5y", "2019-11-19", "4.85"),
    ("lpr", "5y", "2019-11-20", "4.80"),
    ("lpr", "1y", "2021-12-19", "3.85"),
    ("lpr", "1y", "2021-12-20", "3.80"),
    ("lpr", "5y", "2022-08-21", "4.45"),
    ("lpr", "5y", "2022-08-22", "4.30"),
    ("lpr", "1y", "2030-01-01", "3.00"),
    ("lpr", "5y", "2025-05-20", "3.50"),
])
def test_rate_in_force_on_and_around_fixing_dates(kind, tenor, on, rate):
    assert rate_in_force(SHIPPED_RATES, kind, tenor, d(on)) == Decimal(rate)


@pytest.mark.parametrize("kind, tenor, on", [
    ("lpr", "1y", "2019-08-19"),
    ("benchmark", "1y", "2015-10-23"),
    ("lpr", "1-5y", "2020-01-01"),
    ("libor", "1y", "2020-01-01"),
])
def test_rate_in_force_refuses_in_chinese(kind, tenor, on):
    with pytest.raises(DomainError):
        rate_in_force(SHIPPED_RATES, kind, tenor, d(on))


def test_a_county_adds_a_fixing():
    fixings = SHIPPED_RATES + (RateFixing(d("2025-10-20"), "lpr", "1y", Decimal("2.90")),)
    assert rate_in_force(fixings, "lpr", "1y", d("2025-10-19")) == Decimal("3.00")
    assert rate_in_force(fixings, "lpr", "1y", d("2025-10-20")) == Decimal("2.90")


@pytest.mark.parametrize("disbursed, months, cap", [
    ("2018-03-15", 12, "4.35"),    # benchmark ≤ 1 year
    ("2018-03-15", 13, "4.75"),    # benchmark 1–5 years
    ("2018-03-15", 36, "4.75"),
    ("2019-12-01", 60, "4.75"),
    ("2019-12-01", 61, "4.90"),
    ("2021-02-28", 12, "4.35"),    # last day of the benchmark era
    ("2021-02-28", 36, "4.75"),
    ("2021-03-01", 12, "3.85"),    # first day of the LPR era: 1Y LPR
    ("2021-03-01", 36, "4.65"),    # longer terms: 5Y LPR
    ("2022-08-21", 36, "4.45"),
    ("2022-08-22", 36, "4.30"),
    ("2023-08-21", 6, "3.45"),
    ("2026-02-01", 36, "3.50"),    # 2026 policy without a setting: LPR rule continues
])
def test_cap_rate_by_era(disbursed, months, cap):
    assert cap_rate(d(disbursed), months) == Decimal(cap)


def test_cap_rate_2026_policy_setting():
    assert cap_rate(d("2026-02-01"), 36, era_cap=Decimal("3.00")) == Decimal("3.00")
    assert cap_rate(d("2025-12-31"), 36, era_cap=Decimal("3.00")) == Decimal("3.50")


def test_cap_rate_before_the_table_is_an_error():
    with pytest.raises(DomainError):
        cap_rate(d("2015-10-23"), 12)
