"""domain.indicators (DOMAIN §9): ratios with 4 places half-up, undefined on 0, ladder months."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from microcredit.domain import indicators as ind


def test_ratio_rounding_by_hand():
    assert ind.ratio(1, 11) == Decimal("0.0909")
    assert ind.ratio(2, 3) == Decimal("0.6667")
    assert ind.ratio(1, 8) == Decimal("0.1250")
    assert ind.ratio(12345, 100000) == Decimal("0.1235")  # exactly half → up
    assert ind.ratio(12344, 100000) == Decimal("0.1234")
    assert ind.ratio(0, 5) == Decimal("0.0000") and ind.ratio(5, 5) == Decimal("1.0000")
    assert ind.ratio(3, 0) is None
    assert ind.ratio_str(ind.ratio(1, 3)) == "0.3333" and ind.ratio_str(None) is None
    assert ind.ratio_str(ind.ratio(1, 1)) == "1.0000"
    with pytest.raises(TypeError):
        ind.ratio(1.5, 3)


def test_named_ratios():
    assert ind.access_rate(4, 5) == Decimal("0.8000")
    assert ind.npl_ratio(1_000_000, 11_000_000) == Decimal("0.0909")
    assert ind.overdue_ratio(0, 0) is None
    assert ind.on_time_rate(18_729, 29_967) == Decimal("0.6250")
    assert ind.average_loan(11_000_000, 4) == 2_750_000 and ind.average_loan(5, 2) == 3
    assert ind.average_loan(100, 0) is None


@given(st.integers(0, 10**15), st.integers(1, 10**15))
def test_ratio_is_the_fraction_within_half_a_unit(n, d):
    r = ind.ratio(n, d)
    assert r.as_tuple().exponent == -4
    assert abs(Fraction(r) - Fraction(n, d)) <= Fraction(1, 20000)


def test_period_and_ladder():
    assert ind.period_of(dt.date(2026, 6, 30)) == (dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    months = ind.ladder_months(dt.date(2026, 6, 30))
    assert months[0] == (dt.date(2026, 7, 1), dt.date(2026, 7, 31)) and months[-1][1] == dt.date(2027, 6, 30)
    mid = ind.ladder_months(dt.date(2026, 12, 15), 2)
    assert mid == [(dt.date(2026, 12, 16), dt.date(2026, 12, 31)), (dt.date(2027, 1, 1), dt.date(2027, 1, 31))]
    assert ind.is_month_end(dt.date(2028, 2, 29)) and not ind.is_month_end(dt.date(2026, 2, 27))
    with pytest.raises(ValueError):
        ind.ladder_months(dt.date(2026, 1, 1), 0)
