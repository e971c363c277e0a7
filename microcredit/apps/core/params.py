"""Query-string parameters of pages, read within the bounds of ``domain.bounds`` (issue #9 §2).

Absent or empty → None; present but bad → ``DomainError`` naming the parameter, which
``core.middleware.DomainErrorMiddleware`` answers with a 400 page (never a 500).
"""

from __future__ import annotations

import datetime as dt

from django.http import QueryDict

from microcredit.domain.bounds import MAX_ID, bounded_date, bounded_int


def int_param(params: QueryDict, name: str, *, lo: int = 1, hi: int = MAX_ID) -> int | None:
    raw = params.get(name, "")
    return None if raw.strip() == "" else bounded_int(raw, name, lo=lo, hi=hi)


def date_param(params: QueryDict, name: str) -> dt.date | None:
    raw = params.get(name, "")
    return None if raw.strip() == "" else bounded_date(raw, name)
