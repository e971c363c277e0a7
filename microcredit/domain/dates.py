"""Calendar and day count (DOMAIN §5.1).

ACT/360 with 算头不算尾: a period from A to B counts B − A days (A counts, B does not).
Months are added on the same day of the month, clamped to the month's last day.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from microcredit.domain.errors import DomainError

__all__ = ["add_months", "days_between", "parse_iso_date", "DAYS_IN_YEAR"]

DAYS_IN_YEAR = 360
"""ACT/360: the daily rate is the annual rate / 360 (DOMAIN §5.1, 人民币利率管理规定)."""

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def add_months(d: date, months: int) -> date:
    """``d`` plus ``months`` months, same day of month clamped to month end (DOMAIN §5.1).

    ``add_months(date(2019, 1, 31), 1) == date(2019, 2, 28)``. ``months`` may be negative.
    """
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last))


def days_between(a: date, b: date) -> int:
    """Days from ``a`` to ``b``, 算头不算尾: ``a`` counts, ``b`` does not (DOMAIN §5.1)."""
    return (b - a).days


def parse_iso_date(s: str, field: str) -> date:
    """Parse ``YYYY-MM-DD`` strictly (DOMAIN §5.1).

    Raises:
        DomainError: naming ``field``, in Chinese, for a malformed or nonexistent date
            such as 2019-02-30.
    """
    if not isinstance(s, str):
        raise DomainError(field, "日期必须是 YYYY-MM-DD 格式的字符串")
    m = _ISO.match(s.strip())
    if not m:
        raise DomainError(field, f"日期格式不正确（应为 YYYY-MM-DD）：{s}")
    year, month, day = (int(g) for g in m.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise DomainError(field, f"日期不存在：{s}") from None
