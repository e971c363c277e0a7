"""Running jobs: a registry of handlers, one runner used by the worker and by tests.

A handler is `fn(job, report)` where `report(done, total, message="")` updates progress. The
handler does its own writes in transactions; the runner records start, end and failure.
"""

from __future__ import annotations

import logging
import time
import traceback
from typing import Callable

from django.db import transaction

from microcredit.apps.core.clock import now
from microcredit.apps.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)
HANDLERS: dict[str, Callable] = {}


def job_handler(kind: str):
    """Register `fn` as the handler of jobs of `kind`."""

    def register(fn):
        HANDLERS[kind] = fn
        return fn

    return register


def enqueue(*, kind: str, params: dict | None = None, user=None, file=None) -> Job:
    job = Job(kind=kind, params=params or {}, created_by=user if getattr(user, "is_authenticated", False) else None)
    if file is not None:
        job.file.save(getattr(file, "name", "upload"), file, save=False)
    job.save()
    return job


def _report(job: Job):
    last = [0.0]

    def report(done: int, total: int, message: str = "") -> None:
        # Throttle writes: progress rows at most ~4 times a second.
        if time.monotonic() - last[0] < 0.25 and done < total:
            return
        last[0] = time.monotonic()
        Job.objects.filter(pk=job.pk).update(progress=done, total=total, message=message or job.message)

    return report


def run_job(job: Job) -> Job:
    """Run one job to its end; failures are recorded on the job, never raised."""
    import microcredit.apps.jobs.handlers  # noqa: F401  (registers every app's handlers)

    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=now())
    try:
        result = HANDLERS[job.kind](job, _report(job))
        Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, finished_at=now(), result=result)
    except Exception as exc:  # recorded for the user; the worker goes on
        log.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, finished_at=now(), message=str(exc)[:2000],
            result={"traceback": traceback.format_exc()[-4000:]},
        )
    job.refresh_from_db()
    return job


def claim_next() -> Job | None:
    """Take the oldest queued job (safe with two workers on PostgreSQL)."""
    with transaction.atomic():
        qs = Job.objects.filter(status=JobStatus.QUEUED).order_by("created_at", "id")
        job = qs.select_for_update(skip_locked=True).first() if transaction.get_connection().features.has_select_for_update_skip_locked else qs.first()
        if job is None:
            return None
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=now())
    return job


def work_forever(poll_seconds: float = 1.0, once: bool = False) -> None:
    """The worker loop: run queued jobs; the scheduler hooks run between them."""
    from microcredit.apps.jobs.schedule import run_due_schedules

    while True:
        job = claim_next()
        if job:
            run_job(job)
            continue
        run_due_schedules()
        if once:
            return
        time.sleep(poll_seconds)
