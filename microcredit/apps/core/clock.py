"""The one clock of the application (ARCHITECTURE §3, STYLE §6).

The business date can be pinned with the setting/env MICROCREDIT_BUSINESS_DATE (the demo pins
it so its history stays consistent; tests pin it with `pinned_business_date`). Everything that
needs "today" calls `business_date()`; everything that needs a timestamp calls `now()`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Iterator

from django.conf import settings
from django.utils import timezone

_pinned: list[dt.date] = []


def business_date() -> dt.date:
    """Today's business date in Asia/Shanghai, unless pinned."""
    if _pinned:
        return _pinned[-1]
    configured = getattr(settings, "MICROCREDIT_BUSINESS_DATE", "")
    if configured:
        return dt.date.fromisoformat(configured)
    from microcredit.apps.core.models import SystemSetting  # a real cycle: core.models uses clock.now

    stored = SystemSetting.get("business_date")
    if stored:
        return dt.date.fromisoformat(stored)
    return timezone.localdate()


def now() -> dt.datetime:
    """An aware timestamp (stored in UTC)."""
    return timezone.now()


@contextlib.contextmanager
def pinned_business_date(day: dt.date) -> Iterator[None]:
    """Pin the business date inside a `with` block (tests, batch catch-up)."""
    _pinned.append(day)
    try:
        yield
    finally:
        _pinned.pop()
