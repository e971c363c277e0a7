"""Resident ID numbers: GB 11643-1999, check digit by ISO 7064 MOD 11-2 (DOMAIN §2, fixed)."""

from __future__ import annotations

import datetime as dt
import operator
from typing import NamedTuple

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def _digits(text: str) -> bool:
    """ASCII digits only (str.isdigit() also accepts full-width and other Unicode digits)."""
    return text.isascii() and text.isdigit()


class IdNumberInfo(NamedTuple):
    """What an ID number says about its holder."""

    region_code: str
    birth_date: dt.date
    is_male: bool


CHECK_DIGIT_ERROR = "身份证号校验位错误（GB 11643）"


def check_digit(first17: str) -> str:
    """The 18th character for the first 17 digits (DOMAIN §2)."""
    if len(first17) != 17 or not _digits(first17):
        raise ValueError("身份证号前17位必须是数字")
    total = sum(map(operator.mul, map(int, first17), _WEIGHTS))  # a province's file checks 800,000 of them
    return _CHECK[total % 11]


def id_number_error(value: str) -> str | None:
    """None when `value` is a valid 18-character ID number, else the rule it breaks (Chinese)."""
    if len(value) != 18:
        return "身份证号必须是18位"
    body, last = value[:17], value[17].upper()
    if not _digits(body):
        return "身份证号前17位必须是数字"
    if last not in "0123456789X":
        return "身份证号第18位必须是数字或X"
    try:
        dt.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        return "身份证号中的出生日期不存在"
    if check_digit(body) != last:
        return CHECK_DIGIT_ERROR
    return None


def is_valid_id_number(value: str) -> bool:
    """True when the ID number has a valid date and check digit (GB 11643)."""
    return id_number_error(value) is None


def parse_id_number(value: str) -> IdNumberInfo:
    """Region, birth date and sex of a valid ID number; ValueError (Chinese) otherwise."""
    error = id_number_error(value)
    if error:
        raise ValueError(error)
    birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    return IdNumberInfo(value[:6], birth, int(value[16]) % 2 == 1)


def make_id_number(region6: str, birth: dt.date, sequence: int, male: bool) -> str:
    """A valid ID number (for the demo generator and tests): sequence 0–499."""
    seq = sequence * 2 + (1 if male else 0)
    first17 = f"{region6}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + check_digit(first17)


def age_on(birth: dt.date, on: dt.date) -> int:
    """Whole years of age on a date."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
