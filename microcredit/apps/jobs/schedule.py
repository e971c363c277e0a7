"""Scheduled work the worker runs between jobs (e.g. the daily close once a day).

Apps register a callable with `register_schedule(name, fn)`; fn decides itself whether it is
due (it must be idempotent) and enqueues the job it needs.
"""

from __future__ import annotations

from typing import Callable

SCHEDULES: dict[str, Callable[[], None]] = {}


def register_schedule(name: str, fn: Callable[[], None]) -> None:
    SCHEDULES[name] = fn


def run_due_schedules() -> None:
    for fn in list(SCHEDULES.values()):
        fn()
