"""Repayments posted while the daily close runs, from other threads and connections (PostgreSQL).

Issue #8 §2: 115 of 120 loans kept their pre-payment state after a close that ran alongside the
postings, and that day's aggregates left the payments out. Here postings commit between the
close's read and write, are in flight (uncommitted, row locked) when the close starts writing,
and run all through the close; afterwards no loan's cache lost a payment, the day's state and
aggregates count every payment the close saw, and any it could not see marks the close stale.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.loans import servicing as svc
from microcredit.apps.loans import selectors as loan_reads
from microcredit.apps.loans.models import Loan, LoanEvent
from microcredit.apps.monitoring.close import close_through, run_close
from microcredit.apps.monitoring.models import Aggregate, CloseRun, LoanDayState
from microcredit.apps.monitoring.services import closes_mark_stale
from tests.batch.portfolio import County

YESTERDAY, TODAY = dt.date(2026, 1, 30), dt.date(2026, 1, 31)
FIGURES = ["principal_outstanding", "overdue_principal", "overdue_interest", "penalty_owed", "advance",
           "days_past_due", "classification"]


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: real concurrent connections and row/table locks "
                    "(run with DATABASE_URL=postgres:///<db>); the SQLite twin is test_close_guards.py")


@pytest.fixture
def closed(postgres_only):
    """Twenty overdue loans (their state moves every day) closed on YESTERDAY; business date TODAY."""
    with pinned_business_date(YESTERDAY):
        county = County()
        loans = [county.loan(village=k % 4) for k in range(20)]
        run_close(YESTERDAY)
    with pinned_business_date(TODAY):
        yield county, loans


def in_thread(fn, *args) -> threading.Thread:
    """Run ``fn`` on its own thread, hence its own database connection."""
    def target():
        try:
            fn(*args)
        except BaseException as exc:  # surfaced by the test, not lost in the thread
            target.error = exc
        finally:
            connection.close()
    target.error = None
    t = threading.Thread(target=target)
    t.target = target
    t.start()
    return t


def post(county, loans, amount=100000, on=TODAY):
    for loan in loans:
        svc.repayment_post(loan=loan.pk, amount=amount, on=on, actor=county.officer)


def post_and_hold(county, loans, holding: threading.Event, seconds: float):
    """Post inside one transaction and keep it open: the loans are row-locked, not yet committed,
    when the close starts its write phase."""
    with transaction.atomic():
        post(county, loans)
        holding.set()
        time.sleep(seconds)


def figures(obj) -> tuple:
    return tuple(getattr(obj, f) for f in FIGURES)


def domain(loan, day=TODAY):
    return loan_reads.loan_current_state(Loan.objects.get(pk=loan.pk), day)


def check_nothing_lost(loans):
    for loan in loans:
        assert figures(Loan.objects.get(pk=loan.pk)) == figures(domain(loan)), f"cache of loan {loan.pk}"


def check_day_counts_everything(loans):
    for loan in loans:
        assert figures(LoanDayState.objects.get(loan_id=loan.pk)) == figures(domain(loan)), f"day state {loan.pk}"
    states = [domain(x) for x in loans]
    row = Aggregate.objects.get(as_of=TODAY, level="county", code="411224", bank_id=0)
    assert (row.balance, row.penalty, row.overdue_loans) == (
        sum(s.principal_outstanding for s in states), sum(s.penalty_owed for s in states),
        sum(1 for s in states if s.days_past_due > 0))


@pytest.mark.django_db(transaction=True)
def test_repayments_committed_or_in_flight_during_the_close_are_in_the_cache_and_the_days_figures(closed):
    county, loans = closed
    threads = []

    def between_read_and_write(done, total, message=""):
        if done != 2 or threads:
            return
        # 1. committed by other connections after the close read the portfolio
        threads.append(in_thread(post, county, loans[:8]))
        threads[-1].join()
        # 2. posted and still uncommitted (rows locked) when the close starts writing
        holding = threading.Event()
        threads.append(in_thread(post_and_hold, county, loans[8:14], holding, 1.0))
        assert holding.wait(30)

    run = run_close(TODAY, between_read_and_write)
    for t in threads:
        t.join(30)
        assert t.target.error is None, t.target.error
    assert LoanEvent.objects.filter(kind="repayment", on=TODAY).count() == 14
    check_nothing_lost(loans)
    check_day_counts_everything(loans)
    assert run.fallback >= 14 and run.status == "done"
    assert closes_mark_stale(today=TODAY) is None  # the close saw every posting


@pytest.mark.django_db(transaction=True)
def test_repayments_posted_all_through_the_close_never_lose_the_cache_and_a_late_one_makes_it_stale(closed):
    county, loans = closed
    stop = threading.Event()

    def keep_posting():
        k = 0
        while not stop.is_set():
            post(county, [loans[k % len(loans)]], amount=20000)
            k += 1

    def start(done, total, message=""):
        if done == 1 and not hasattr(start, "thread"):
            start.thread = in_thread(keep_posting)
            time.sleep(0.2)  # some postings before the read, some during it

    run = run_close(TODAY, start)
    time.sleep(0.2)  # and some after the close
    stop.set()
    start.thread.join(60)
    assert start.thread.target.error is None, start.thread.target.error
    assert LoanEvent.objects.filter(kind="repayment", on=TODAY).count() > 5
    check_nothing_lost(loans)  # whatever the interleaving
    late = LoanEvent.objects.filter(kind="repayment", id__gt=run.event_watermark).exists()
    assert closes_mark_stale(today=TODAY) == (TODAY if late else None)
    assert CloseRun.objects.get(business_date=TODAY).stale == late
    if not late:  # the close saw them all: its figures count them
        check_day_counts_everything(loans)
    runs = close_through(TODAY)  # the re-run of the latest date (what tomorrow's close does first)
    assert [r.business_date for r in runs] == [TODAY]
    check_day_counts_everything(loans)
    assert not CloseRun.objects.get(business_date=TODAY).stale
