"""The one clock of the application (ARCHITECTURE §3, STYLE §6).

The business date can be pinned with the setting/env MICROCREDIT_BUSINESS_DATE (the demo pins
it so its history stays consistent; tests pin it with `pinned_business_date`), or stored by the
operator as the system setting ``business_date``. Everything that needs "today" calls
`business_date()`; everything that needs a timestamp calls `now()`.

Reading the stored date is a query; a page calls `business_date()` many times (the view, its
selectors, the menu's context), so it is read at most once per request (issue #15 §4). The
cache is request-scoped, never process-wide, so no request sees a date another moved before it
began:

- `business_date_scope()` opens a fresh cache in a context variable (one per thread/task); the
  web shell's `CurrentRequestMiddleware` wraps every request (pages and the API) in one. Outside
  a scope (jobs, the close, the shell) every call reads, as before.
- A pin (`pinned_business_date`) and the setting are checked before the cache on every call, so
  a pin is seen at once and never cached.
- Saving or deleting the ``business_date`` setting through the ORM empties the current scope's
  cache (signal handlers in `core.apps`), so a request that moves the date sees the new one on
  its next call. A raw ``UPDATE`` (``QuerySet.update``) sends no signal: the next request sees it.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from typing import Iterator

from django.conf import settings
from django.utils import timezone

SETTING_KEY = "business_date"
"""The ``SystemSetting`` key of the stored business date."""

_pinned: list[dt.date] = []
_scope: contextvars.ContextVar[dict | None] = contextvars.ContextVar("microcredit_business_date", default=None)
_UNREAD = object()


def business_date() -> dt.date:
    """Today's business date in Asia/Shanghai, unless pinned or stored (read once per scope)."""
    if _pinned:
        return _pinned[-1]
    configured = getattr(settings, "MICROCREDIT_BUSINESS_DATE", "")
    if configured:
        return dt.date.fromisoformat(configured)
    cache = _scope.get()
    stored = cache.get(SETTING_KEY, _UNREAD) if cache is not None else _UNREAD
    if stored is _UNREAD:
        from microcredit.apps.core.models import SystemSetting  # a real cycle: core.models uses clock.now

        stored = SystemSetting.get(SETTING_KEY)
        if cache is not None:
            cache[SETTING_KEY] = stored
    if stored:
        return dt.date.fromisoformat(stored)
    return timezone.localdate()


@contextlib.contextmanager
def business_date_scope() -> Iterator[None]:
    """Read the stored business date at most once inside this block (one request)."""
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


def forget_business_date() -> None:
    """Empty the current scope's cache: the next `business_date()` reads the stored date again."""
    cache = _scope.get()
    if cache is not None:
        cache.clear()


def setting_changed(sender, instance, **kwargs) -> None:
    """``post_save``/``post_delete`` of a ``SystemSetting`` (connected in `core.apps`): a moved
    business date is seen by the very next `business_date()` of the request that moved it."""
    if getattr(instance, "key", None) == SETTING_KEY:
        forget_business_date()


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
