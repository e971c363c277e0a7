"""Scheduled work the worker runs between jobs (e.g. the daily close once a day).

Apps register a callable in their `AppConfig.ready()` with `register_schedule(name, fn)`; fn
decides itself whether it is due (it must be idempotent) and enqueues the job it needs.
"""

from __future__ import annotations

from typing import Callable

from microcredit.apps.core.registry import Registry

SCHEDULES = Registry("schedule")  # name → fn()


def register_schedule(name: str, fn: Callable[[], None]) -> None:
    SCHEDULES.register(name, fn)


def run_due_schedules() -> None:
    for fn in SCHEDULES.values():
        fn()
