"""The bounds every input is held to at the edges (issue #9 §2): ids, counts, dates, amounts, text.

One place, so a form, an API schema, a query parameter and a file parser refuse the same values
with the same words. The figures are wide enough for any real county or province (a loan of
10 亿元 is already absurd for microcredit) and narrow enough for every database column.
"""

from __future__ import annotations

import datetime as dt
import re

from microcredit.domain.errors import DomainError

MAX_ID = 2**63 - 1
"""Largest primary key (signed 64-bit, PostgreSQL bigint / SQLite INTEGER)."""
MAX_FEN = 10**15
"""Largest amount in fen anywhere (10 万亿元): fits bigint with room for sums of a province."""
MIN_DATE = dt.date(1990, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
MIN_YEAR, MAX_YEAR = MIN_DATE.year, MAX_DATE.year
MAX_PAGE_SIZE = 500
MAX_OFFSET = 10**9
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_TEXT = 1000
"""Longest free text in a single field (names, notes, opinions) unless a column says less."""


def bounded_int(value: object, field: str, *, lo: int = 1, hi: int = MAX_ID) -> int:
    """``value`` as an int in [lo, hi], or DomainError naming ``field`` (bool and float refused)."""
    if isinstance(value, bool) or isinstance(value, float):
        raise DomainError(field, f"必须是 {lo} 到 {hi} 之间的整数")
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise DomainError(field, f"必须是 {lo} 到 {hi} 之间的整数") from None
    if not lo <= number <= hi:
        raise DomainError(field, f"必须是 {lo} 到 {hi} 之间的整数")
    return number


def bounded_date(value: object, field: str, *, lo: dt.date = MIN_DATE, hi: dt.date = MAX_DATE) -> dt.date:
    """``value`` (a date or an ISO ``YYYY-MM-DD`` string) within [lo, hi], or DomainError."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        text = str(value).strip()
        try:  # only YYYY-MM-DD: Python 3.11 also reads week dates (2026-W50-2) and compact forms
            if not ISO_DAY.fullmatch(text):
                raise ValueError(text)
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise DomainError(field, "日期格式应为 YYYY-MM-DD，且须是真实存在的日期") from None
    if not lo <= value <= hi:
        raise DomainError(field, f"日期须在 {lo} 至 {hi} 之间")
    return value
