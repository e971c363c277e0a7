"""Query-string parameters of pages, read within the bounds of ``domain.bounds`` (issue #9 §2).

Absent or empty → None; present but bad → ``DomainError`` naming the parameter, which
``core.middleware.DomainErrorMiddleware`` answers with a 400 page (never a 500).
"""

from __future__ import annotations

import datetime as dt
import re

from django.http import QueryDict

from microcredit.domain.bounds import MAX_ID, bounded_date, bounded_int
from microcredit.domain.errors import DomainError

MONTH = re.compile(r"\d{4}-\d{2}")


def int_param(params: QueryDict, name: str, *, lo: int = 1, hi: int = MAX_ID) -> int | None:
    raw = params.get(name, "")
    return None if raw.strip() == "" else bounded_int(raw, name, lo=lo, hi=hi)


def date_param(params: QueryDict, name: str) -> dt.date | None:
    raw = params.get(name, "")
    return None if raw.strip() == "" else bounded_date(raw, name)


def text_param(params: QueryDict, name: str, *, max_length: int = 64) -> str:
    """Free text (a search box): stripped; too long or with a NUL byte → DomainError."""
    raw = (params.get(name) or "").strip()
    if len(raw) > max_length or "\x00" in raw:
        raise DomainError(name, f"不能超过 {max_length} 个字符，且不能包含空字符")
    return raw


def choice_param(params: QueryDict, name: str, choices) -> str | None:
    """One of ``choices`` (their keys), or None when absent; anything else → DomainError."""
    raw = (params.get(name) or "").strip()
    if raw == "":
        return None
    if raw not in choices:
        raise DomainError(name, "不是可选的值")
    return raw


def digits_param(params: QueryDict, name: str, *, lengths: tuple[int, ...]) -> str | None:
    """A code of digits of one of ``lengths`` (a region code, a prefix), or None when absent."""
    raw = (params.get(name) or "").strip()
    if raw == "":
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) in lengths):
        raise DomainError(name, f"应为 {'/'.join(map(str, lengths))} 位数字")
    return raw


def month_param(params: QueryDict, name: str) -> dt.date | None:
    """A month ``YYYY-MM`` as the date of its first day, or None when absent."""
    raw = (params.get(name) or "").strip()
    if raw == "":
        return None
    if not MONTH.fullmatch(raw):
        raise DomainError(name, "月份格式应为 YYYY-MM")
    return bounded_date(f"{raw}-01", name)
