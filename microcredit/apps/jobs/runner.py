"""Running jobs: a registry of handlers, leases that survive a dead worker, one worker loop.

Each app registers its handlers in its `AppConfig.ready()` (`register_job_handler(kind, fn)`),
so the worker knows them all once Django is set up and this app imports no feature app.
A handler is `fn(job, report)` where `report(done, total, message="")` updates progress. The
handler does its own writes in transactions and must be idempotent: a job whose worker died is
run again from the start (the close and the registry import are; docs/decisions/0005-job-queue.md).

A worker claims a queued job atomically and holds it under a lease (`worker`, `lease_until`),
renewed by a heartbeat thread and by every progress report. Whoever next looks for work (any
worker, and the worker's scheduler pass) finds jobs whose lease ran out and queues them again,
or fails them with a Chinese message after `MICROCREDIT_JOB_MAX_ATTEMPTS` runs. A worker that
lost its lease stops at the next report and never writes the job's outcome.

Settings (or environment variables of the same name):
MICROCREDIT_JOB_LEASE_SECONDS  how long a claim lasts without renewal (default 120 s; the
    heartbeat renews every third of it; longer than SQLite's 20 s lock wait, so one long
    write transaction in the handler cannot starve the heartbeat into losing the job)
MICROCREDIT_JOB_MAX_ATTEMPTS   runs before a job of a dying worker is failed (default 3)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import socket
import threading
import time
import uuid
from contextlib import contextmanager, nullcontext
from typing import Callable, Iterator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.clock import now
from microcredit.apps.core.registry import Registry
from microcredit.apps.jobs.models import Job, JobStatus
from microcredit.apps.jobs.schedule import run_due_schedules
from microcredit.domain.errors import DomainError
from microcredit.domain.regions import PREFIX_LENGTH

log = logging.getLogger(__name__)
HANDLERS = Registry("job kind")  # kind → fn(job, report)
JOB_LABELS: dict[str, str] = {}  # kind → its label on the jobs pages (issue #11 §3)
CLAIM_TRIES = 5


class LeaseLost(Exception):
    """The job's lease ran out and another worker may hold it: stop without writing."""


def register_job_handler(kind: str, fn: Callable, *, label: str = "") -> None:
    """Make `fn` the handler of jobs of `kind`, shown as `label` (from an app's ready(); a kind twice fails)."""
    HANDLERS.register(kind, fn)
    JOB_LABELS[kind] = label or kind


def job_handler(kind: str):
    """Decorator form of `register_job_handler` (tests' own handlers)."""

    def register(fn):
        register_job_handler(kind, fn)
        return fn

    return register


def lease_seconds() -> float:
    return float(_setting("MICROCREDIT_JOB_LEASE_SECONDS", "120"))


def max_attempts() -> int:
    return int(_setting("MICROCREDIT_JOB_MAX_ATTEMPTS", "3"))


def _setting(name: str, default: str) -> str:
    return str(getattr(settings, name, "") or os.environ.get(name) or default)


def worker_id() -> str:
    """Host, process and a random part: unique even when a pid is reused after a crash."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# ------------------------------------------------------------------------------------ enqueue


def subject_region(prefixes: list[str]) -> str:
    """The smallest region containing all `prefixes`: their common prefix cut to a level
    (county 6, township 9 …); "" when they share no province (a system-wide subject)."""
    common = os.path.commonprefix(list(prefixes)) if prefixes else ""
    lengths = sorted(PREFIX_LENGTH.values(), reverse=True)
    return next((common[:n] for n in lengths if len(common) >= n), "")


def enqueue(*, kind: str, params: dict | None = None, user=None, file=None,
            region_code: str | None = None, bank=None) -> Job:
    """Queue a job. Its scope is its subject's: given, or else its creator's region and bank
    (a registry import touches only rows in its creator's scope); a system job is county-wide."""
    creator = user if getattr(user, "is_authenticated", False) else None
    if region_code is None:
        scope = Scope.of(creator)
        region_code = "" if creator is None or scope.unrestricted else subject_region(list(scope.region_prefixes))
    if bank is None and creator is not None:
        bank = creator.bank
    job = Job(kind=kind, params=params or {}, created_by=creator, region_code=region_code, bank=bank)
    if file is not None:
        job.file.save(getattr(file, "name", "upload"), file, save=False)
    job.save()
    if file is not None:  # every uploaded file is on the audit trail (issue #9 §1): who, what, its digest
        _audit_upload(job, creator)
    return job


def _audit_upload(job: Job, creator) -> None:
    digest = hashlib.sha256()
    with job.file.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    record_audit(actor=creator, action="job.upload", obj=job, region_code=job.region_code,
                 after={"kind": job.kind, "filename": job.params.get("filename") or job.file.name,
                        "size": job.file.size, "sha256": digest.hexdigest()})


# ------------------------------------------------------------------------ claim, lease, expiry


def requeue_expired() -> list[Job]:
    """Jobs whose lease ran out (their worker died): queued again, or failed after the
    last attempt. Safe to call from any number of workers at once."""
    at = now()
    # No lease at all: written as running by something that will never renew it — expired too.
    lapsed = Q(lease_until__lt=at) | Q(lease_until__isnull=True)
    recovered = []
    for job in Job.objects.filter(lapsed, status=JobStatus.RUNNING).order_by("id"):
        # Conditional on the lease still being expired: a late heartbeat or another worker wins.
        still = Job.objects.filter(lapsed, pk=job.pk, status=JobStatus.RUNNING)
        if job.attempts >= max_attempts():
            message = f"后台进程中断，已尝试 {job.attempts} 次仍未完成"
            done = still.update(status=JobStatus.FAILED, finished_at=at, lease_until=None, message=message)
            log.error("job %s failed: worker %s died, %s attempts", job.pk, job.worker, job.attempts)
        else:
            message = f"后台进程中断，已重新排队（第 {job.attempts + 1} 次运行）"
            done = still.update(status=JobStatus.QUEUED, lease_until=None, worker="", progress=0, message=message)
            log.warning("job %s requeued: worker %s died (attempt %s)", job.pk, job.worker, job.attempts)
        if done:
            job.refresh_from_db()
            recovered.append(job)
    return recovered


def claim_next(worker: str | None = None) -> Job | None:
    """Recover expired jobs, then take the oldest queued one for `worker` (or None).

    PostgreSQL: the row is locked with SKIP LOCKED, so workers never wait on each other.
    SQLite has no row locks: the UPDATE … WHERE status='queued' is the claim, and a worker that
    lost the race (0 rows) tries the next job.
    """
    worker = worker or worker_id()
    requeue_expired()
    for _ in range(CLAIM_TRIES):
        with transaction.atomic():
            qs = Job.objects.filter(status=JobStatus.QUEUED).order_by("created_at", "id")
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            job = qs.first()
            if job is None:
                return None
            at = now()
            claimed = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
                status=JobStatus.RUNNING, worker=worker, lease_until=at + _lease(), attempts=F("attempts") + 1,
                started_at=at, finished_at=None)
        if claimed:
            job.refresh_from_db()
            return job
    return None


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=lease_seconds())


def _held(job: Job, worker: str):
    """The job's row as long as `worker` still holds it."""
    return Job.objects.filter(pk=job.pk, worker=worker, status=JobStatus.RUNNING)


def renew(job: Job, worker: str) -> None:
    """Extend the lease; LeaseLost when another worker took the job over."""
    if not _held(job, worker).update(lease_until=now() + _lease()):
        raise LeaseLost(job.pk)


@contextmanager
def heartbeat(job: Job, worker: str) -> Iterator[threading.Event]:
    """Renew the lease from a thread while the handler runs (a long step may not report).

    Yields an Event set when the lease was lost, which the next progress report turns into
    LeaseLost. A failed renewal (database busy) is retried at the next beat.
    """
    stop, lost = threading.Event(), threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(lease_seconds() / 3):
                try:
                    renew(job, worker)
                except LeaseLost:
                    lost.set()
                    return
                except DatabaseError:
                    log.warning("job %s: lease renewal failed, retrying", job.pk, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"job-{job.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield lost
    finally:
        stop.set()
        thread.join()


# ---------------------------------------------------------------------------------- running


def _report(job: Job, worker: str, lost: threading.Event | None):
    last = [0.0]

    def report(done: int, total: int, message: str = "") -> None:
        if lost is not None and lost.is_set():
            raise LeaseLost(job.pk)
        # Throttle writes: progress rows at most ~4 times a second; each write renews the lease.
        if time.monotonic() - last[0] < 0.25 and done < total:
            return
        last[0] = time.monotonic()
        fields = {"progress": done, "total": total, "lease_until": now() + _lease()}
        if message:
            fields["message"] = message
        if not _held(job, worker).update(**fields):
            raise LeaseLost(job.pk)

    return report


def user_message(exc: Exception, job: Job) -> str:
    """What the job record says about a failure: a rule's Chinese message, or a generic line.
    Never the exception text of a bug (it can carry paths, SQL or personal data) — that and
    the traceback go to the log."""
    if isinstance(exc, DomainError):
        return str(exc)[:2000]
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)[:2000]
    return f"任务出错（内部错误，已记入系统日志，任务 #{job.pk}），请联系系统管理员"


def run_job(job: Job, *, worker: str | None = None, keep_alive: bool = False) -> Job:
    """Run one job to its end; failures are recorded on the job, never raised.

    `worker`: the id that claimed the job (`claim_next`); without it the job is taken here
    (tests, commands). `keep_alive`: renew the lease from a heartbeat thread (the worker).
    """
    if worker is None:
        worker = worker_id()
        at = now()
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, worker=worker, lease_until=at + _lease(),
                                             attempts=F("attempts") + 1, started_at=at, finished_at=None)
    with heartbeat(job, worker) if keep_alive else nullcontext() as lost:
        try:
            result = HANDLERS[job.kind](job, _report(job, worker, lost))
            outcome = {"status": JobStatus.DONE, "result": result}
        except LeaseLost:
            log.warning("job %s: lease lost by %s; left to the worker that holds it", job.pk, worker)
            outcome = None
        except Exception as exc:  # recorded for the user; the worker goes on
            log.exception("job %s (%s) failed", job.pk, job.kind)
            outcome = {"status": JobStatus.FAILED, "message": user_message(exc, job)}
    if outcome is not None and not _held(job, worker).update(finished_at=now(), lease_until=None, **outcome):
        log.warning("job %s: finished by %s after its lease was lost; outcome dropped", job.pk, worker)
    job.refresh_from_db()
    return job


def work_forever(poll_seconds: float = 1.0, once: bool = False) -> None:
    """The worker loop: recover jobs of dead workers, run the schedules, run queued jobs.

    `once`: one pass (recover, schedule, drain the queue), then return.
    """
    worker = worker_id()
    log.info("worker %s started", worker)
    while True:
        requeue_expired()
        run_due_schedules()
        while (job := claim_next(worker)) is not None:
            run_job(job, worker=worker, keep_alive=True)
        if once:
            return
        time.sleep(poll_seconds)
