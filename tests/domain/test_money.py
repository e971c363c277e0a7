"""DOMAIN §5: integer fen and the one half-up rounding."""

from decimal import Decimal

import pytest

from microcredit.domain.money import fen_to_yuan, round_half_up, round_half_up_decimal, yuan_to_fen


@pytest.mark.parametrize("num, den, expected", [
    (5, 2, 3), (-5, 2, -3), (7, 2, 4), (1, 3, 0), (2, 3, 1), (-2, 3, -1), (-1, 3, 0),
    (5, -2, -3), (0, 7, 0), (19791666, 1000, 19792), (36250, 10, 3625), (123, 1, 123),
    (1, 2, 1), (-1, 2, -1), (3, 4, 1), (1, 4, 0),
])
def test_round_half_up_of_a_fraction(num, den, expected):
    assert round_half_up(num, den) == expected


def test_round_half_up_rejects_zero_denominator():
    with pytest.raises(ZeroDivisionError):
        round_half_up(1, 0)


@pytest.mark.parametrize("x, expected", [
    ("19791.5", 19792), ("19791.49999", 19791), ("-0.5", -1), ("2.5", 3), ("0", 0),
    ("123", 123),
])
def test_round_half_up_decimal_in_fen(x, expected):
    assert round_half_up_decimal(Decimal(x)) == expected


@pytest.mark.parametrize("value, expected", [
    ("1234.5", 123450), ("1234.50", 123450), ("0.01", 1), ("-0.05", -5), (Decimal("7.1"), 710),
    (50000, 5000000), (" 12 ", 1200), ("1.500", 150), ("0", 0),
])
def test_yuan_to_fen(value, expected):
    assert yuan_to_fen(value) == expected


@pytest.mark.parametrize("value", ["1.005", "12.345", "abc", "", "NaN", "Infinity", 1.5, True,
                                   Decimal("0.001")])
def test_yuan_to_fen_rejects_in_chinese(value):
    with pytest.raises(ValueError) as info:
        yuan_to_fen(value)
    assert "金额" in str(info.value)


@pytest.mark.parametrize("fen, text", [
    (123450, "1234.50"), (-5, "-0.05"), (0, "0.00"), (1, "0.01"), (-123456, "-1234.56"),
    (5000000, "50000.00"),
])
def test_fen_to_yuan(fen, text):
    assert fen_to_yuan(fen) == text
    assert yuan_to_fen(text) == fen
