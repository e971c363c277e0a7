"""ID numbers: GB 11643 check digit (ISO 7064 MOD 11-2), date, length (DOMAIN §2)."""

import datetime as dt

import pytest

from microcredit.domain.identity import (
    age_on, check_digit, id_number_error, is_valid_id_number, make_id_number, parse_id_number,
)

VALID = [
    "11010519491231002X",  # the GB 11643 standard's own example
    "440524188001010014",
    "41122419800229001X",  # 29 February in a leap year
]


@pytest.mark.parametrize("value", VALID)
def test_valid_numbers_pass(value):
    assert id_number_error(value) is None
    assert is_valid_id_number(value)


@pytest.mark.parametrize("value, rule", [
    ("11010519491231002", "身份证号必须是18位"),           # 17 characters
    ("11010519491231002X1", "身份证号必须是18位"),         # 19 characters
    ("", "身份证号必须是18位"),
    ("1101051949123100AX", "身份证号前17位必须是数字"),    # letter in the body
    ("11010519491231002Y", "身份证号第18位必须是数字或X"),
    ("110105194913310023", "身份证号中的出生日期不存在"),  # month 13
    ("411224198102290011", "身份证号中的出生日期不存在"),  # 29 February 1981
    ("110105194912310021", "身份证号校验位错误（GB 11643）"),  # right shape, wrong check digit
    ("440524188001010015", "身份证号校验位错误（GB 11643）"),
])
def test_invalid_numbers_name_the_rule(value, rule):
    assert id_number_error(value) == rule
    assert not is_valid_id_number(value)


def test_lowercase_x_is_accepted_and_imports_store_it_uppercase():
    # Decision: the check accepts a lowercase x (people type it); services store "X".
    assert id_number_error("11010519491231002x") is None


def test_check_digit_refuses_a_short_body():
    with pytest.raises(ValueError):
        check_digit("1234")


def test_parse_reads_region_birth_and_sex():
    info = parse_id_number("11010519491231002X")
    assert info == ("110105", dt.date(1949, 12, 31), False)  # 17th digit 2 → female


@pytest.mark.parametrize("male", [True, False])
def test_make_id_number_is_valid_and_has_the_sex(male):
    value = make_id_number("411224", dt.date(1985, 6, 30), 123, male)
    assert is_valid_id_number(value)
    assert parse_id_number(value).is_male is male


def test_age_turns_on_the_birthday():
    born = dt.date(1980, 2, 29)
    assert age_on(born, dt.date(2026, 2, 28)) == 45
    assert age_on(born, dt.date(2026, 3, 1)) == 46


def test_full_width_digits_are_refused():
    valid = make_id_number("411224", dt.date(1980, 5, 17), 12, True)
    full_width = valid[:6].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + valid[6:]
    assert id_number_error(valid) is None
    assert id_number_error(full_width) == "身份证号前17位必须是数字"
