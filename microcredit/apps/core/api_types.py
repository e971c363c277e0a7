"""Bounded types for the API's schemas and parameters (issue #9 §2), from ``domain.bounds``.

Use these instead of bare ``int``/``str``/``date`` in ninja schemas and operation parameters so
pydantic refuses an out-of-range value with a 422 naming the field before any query runs.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field

from microcredit.domain import bounds


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("不能包含空字符（NUL）")
    return text


Id = Annotated[int, Field(ge=1, le=bounds.MAX_ID)]
Limit = Annotated[int, Field(ge=1, le=bounds.MAX_PAGE_SIZE)]
Offset = Annotated[int, Field(ge=0, le=bounds.MAX_OFFSET)]
Year = Annotated[int, Field(ge=bounds.MIN_YEAR, le=bounds.MAX_YEAR)]
Day = Annotated[dt.date, Field(ge=bounds.MIN_DATE, le=bounds.MAX_DATE)]
Fen = Annotated[int, Field(ge=0, le=bounds.MAX_FEN)]
TermMonths = Annotated[int, Field(ge=1, le=360)]
Rate = Annotated[Decimal, Field(ge=0, le=36, decimal_places=4, allow_inf_nan=False)]
"""An annual rate in percent (DOMAIN §5: at most four decimals; the schedule refuses above 36 %)."""
Yuan = Annotated[Decimal, Field(ge=0, le=Decimal(bounds.MAX_FEN) / 100, decimal_places=2, allow_inf_nan=False)]
"""An amount in yuan ("1234.50"): at most two decimals, never more than ``bounds.MAX_FEN`` fen."""


def Text(max_length: int = bounds.MAX_TEXT):  # noqa: N802 (a type factory, used like a type)
    """A string of at most ``max_length`` characters without NUL bytes."""
    return Annotated[str, Field(max_length=max_length), AfterValidator(_no_nul)]
