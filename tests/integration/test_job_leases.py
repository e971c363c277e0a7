"""Leases: a job whose worker died is queued again or failed, and the scheduled close goes on.

The last test really kills a worker process (SIGKILL) in the middle of the close, against a
file SQLite database, and runs a fresh worker afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.utils import timezone

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.jobs.models import Job, JobStatus
from microcredit.apps.jobs.runner import (
    HANDLERS, LeaseLost, claim_next, enqueue, job_handler, lease_seconds, renew, requeue_expired, run_job,
)
from microcredit.apps.monitoring.close import schedule_close
from microcredit.domain.errors import DomainError

DAY = dt.date(2026, 11, 20)


def expire(job: Job) -> None:
    """What time does to a dead worker's lease."""
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))


@pytest.fixture
def reporting_job():
    @job_handler("test_report")
    def handler(job, report):
        report(1, 2, "一半")
        report(2, 2, "完成")
        return {"ok": True}

    yield
    HANDLERS.pop("test_report")


@pytest.mark.django_db
def test_a_claim_records_the_worker_its_lease_and_the_attempt():
    job = enqueue(kind="test_report")
    before = timezone.now()
    claimed = claim_next("w1")
    assert claimed.pk == job.pk and claimed.status == JobStatus.RUNNING and claimed.worker == "w1"
    assert claimed.attempts == 1
    assert before + dt.timedelta(seconds=lease_seconds() - 1) < claimed.lease_until
    assert claim_next("w2") is None  # nobody else gets it while the lease runs


@pytest.mark.django_db
def test_a_live_lease_is_left_alone_and_renewal_extends_it():
    enqueue(kind="test_report")
    job = claim_next("w1")
    assert requeue_expired() == []
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() + dt.timedelta(seconds=5))
    renew(job, "w1")
    job.refresh_from_db()
    assert job.lease_until > timezone.now() + dt.timedelta(seconds=lease_seconds() - 1)
    with pytest.raises(LeaseLost):
        renew(job, "someone-else")


@pytest.mark.django_db
def test_an_expired_lease_is_requeued_then_claimed_again_with_the_attempt_counted(reporting_job):
    job = enqueue(kind="test_report")
    claim_next("dead")
    expire(job)
    [requeued] = requeue_expired()
    assert requeued.status == JobStatus.QUEUED and requeued.worker == "" and requeued.attempts == 1
    assert "后台进程中断" in requeued.message
    again = claim_next("w2")
    assert again.pk == job.pk and again.attempts == 2
    done = run_job(again, worker="w2")
    assert done.status == JobStatus.DONE and done.result == {"ok": True} and done.lease_until is None


@pytest.mark.django_db
def test_a_running_job_without_any_lease_is_recovered():
    """Rows left "running" by the runner before leases existed never get renewed."""
    job = enqueue(kind="test_report")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1, lease_until=None)
    assert [j.pk for j in requeue_expired()] == [job.pk]


@pytest.mark.django_db
def test_after_the_last_attempt_the_close_fails_and_the_schedule_queues_it_again():
    with pinned_business_date(DAY):
        schedule_close()
        job = Job.objects.get(kind="daily_close")
        for attempt in (1, 2, 3):
            assert claim_next(f"w{attempt}").pk == job.pk
            schedule_close()  # while it runs (or seems to), the schedule waits for it
            assert Job.objects.filter(kind="daily_close").count() == 1
            expire(job)
            requeue_expired()
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED and job.attempts == 3
        assert job.message == "后台进程中断，已尝试 3 次仍未完成"
        schedule_close()
    fresh = Job.objects.filter(kind="daily_close", status=JobStatus.QUEUED).get()
    assert fresh.pk != job.pk and fresh.params["date"] == DAY.isoformat()


@pytest.mark.django_db
def test_a_worker_that_lost_its_lease_stops_and_never_writes_the_outcome(reporting_job):
    job = enqueue(kind="test_report")
    claim_next("slow")
    expire(job)
    requeue_expired()
    claim_next("fresh")
    stale = run_job(job, worker="slow")  # its first report finds the job held by "fresh"
    assert stale.status == JobStatus.RUNNING and stale.worker == "fresh" and stale.result is None


@pytest.mark.django_db
def test_a_bug_in_a_handler_leaves_a_chinese_message_and_the_traceback_in_the_log(caplog):
    @job_handler("test_bug")
    def bug(job, report):
        open("/nonexistent/secret/path/110105194912310021.csv")

    @job_handler("test_rule")
    def rule(job, report):
        raise DomainError("日期", "不能晚于业务日期")

    try:
        broken = run_job(enqueue(kind="test_bug"))
        refused = run_job(enqueue(kind="test_rule"))
    finally:
        HANDLERS.pop("test_bug"), HANDLERS.pop("test_rule")
    assert broken.status == JobStatus.FAILED and broken.result is None
    assert "内部错误" in broken.message and "/nonexistent" not in broken.message
    assert "Traceback" in caplog.text and "/nonexistent/secret/path" in caplog.text
    assert refused.message == "日期：不能晚于业务日期"


# ------------------------------------------------------------------ a real worker, really killed

LEASE = 1.5
HUNG_WORKER = """
import time
import django
django.setup()  # every app's ready() registers its job handlers and schedules
from django.core.management import call_command
from microcredit.apps.jobs.runner import HANDLERS

def hang(job, report):  # the close, stuck in one long step that reports no progress
    report(1, 10, "计算中")
    time.sleep(600)

assert HANDLERS["daily_close"].__module__ == "microcredit.apps.monitoring.jobs"
HANDLERS["daily_close"] = hang  # stands in for the registered close

call_command("worker", poll=0.1)
"""


def _jobs(db: Path) -> list[dict]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(
            "select id, status, worker, lease_until, attempts, message from jobs_job order by id")]


def _close_done(db: Path, day: dt.date) -> bool:
    with sqlite3.connect(db) as conn:
        return conn.execute("select count(*) from monitoring_closerun where business_date = ? and status = 'done'",
                            (day.isoformat(),)).fetchone()[0] == 1


def _wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


def _hang_and_kill(env: dict, db: Path, attempt: int, log: Path) -> dict:
    """Start a worker whose close hangs, wait until it holds the job at `attempt`, SIGKILL it."""
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-c", HUNG_WORKER], env=env, stdout=out, stderr=out)
    try:
        job = _wait_for(lambda: next((j for j in _jobs(db) if j["status"] == "running" and j["attempts"] == attempt),
                                     None))
        if attempt == 1:  # no progress report comes, yet the heartbeat keeps the lease alive
            time.sleep(2 * LEASE)
            alive = _jobs(db)[0]
            assert alive["status"] == "running" and alive["lease_until"] > job["lease_until"], log.read_text()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    return job


def test_a_killed_worker_s_close_is_retried_then_failed_and_the_schedule_closes_the_day(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {
        "DJANGO_SETTINGS_MODULE": "microcredit.web.settings", "MICROCREDIT_VAR": str(tmp_path),
        "MICROCREDIT_BUSINESS_DATE": DAY.isoformat(), "MICROCREDIT_JOB_LEASE_SECONDS": str(LEASE),
        "MICROCREDIT_JOB_MAX_ATTEMPTS": "2",
    }
    db, log = tmp_path / "microcredit.sqlite3", tmp_path / "worker.log"
    subprocess.run([sys.executable, "-m", "microcredit", "migrate", "-v0"], env=env, check=True, timeout=120)

    first = _hang_and_kill(env, db, 1, log)  # the scheduler queued the close; the worker died in it
    assert [j["status"] for j in _jobs(db)] == ["running"]  # dead worker: still "running"
    time.sleep(LEASE + 0.2)

    second = _hang_and_kill(env, db, 2, log)  # a new worker re-queued it and ran it again; died too
    assert second["id"] == first["id"] and second["worker"] != first["worker"]
    time.sleep(LEASE + 0.2)

    done = subprocess.run([sys.executable, "-m", "microcredit", "worker", "--once"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    failed, rerun = _jobs(db)
    assert failed["id"] == first["id"] and failed["status"] == "failed"
    assert failed["message"] == "后台进程中断，已尝试 2 次仍未完成"
    assert rerun["status"] == "done", rerun  # the schedule queued the close again and it ran
    assert _close_done(db, DAY)
    assert "Traceback" not in failed["message"] + rerun["message"]
