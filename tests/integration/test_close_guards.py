"""The daily close's guards (issue #8 §2): the date rule at every entry point, every request
audited, postings during the close never lost, late postings make a close stale and re-run.

The same-thread postings here are the SQLite-capable twin of test_close_concurrency_pg.py: they
land between the close's read and write phases (its progress callback), which is what a posting
from another connection does in the race.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.jobs.models import Job
from microcredit.apps.loans import servicing as svc
from microcredit.apps.loans import selectors as loan_reads
from microcredit.apps.loans.models import Loan
from microcredit.apps.monitoring.close import close_through, run_close, schedule_close
from microcredit.apps.monitoring.models import Aggregate, CloseRun, LoanDayState
from microcredit.apps.monitoring.services import closes_mark_stale
from microcredit.domain.close import CloseDateError
from tests.batch.portfolio import County

pytestmark = pytest.mark.django_db
YESTERDAY, TODAY = dt.date(2026, 1, 30), dt.date(2026, 1, 31)
FIGURES = ["principal_outstanding", "overdue_principal", "overdue_interest", "penalty_owed", "advance",
           "days_past_due", "classification"]


@pytest.fixture
def closed():
    """Eight loans, none paid since disbursement (overdue, so their state moves every day), the
    county closed on YESTERDAY; the business date is TODAY."""
    with pinned_business_date(YESTERDAY):
        county = County()
        loans = [county.loan(village=k % 4) for k in range(8)]
        run_close(YESTERDAY)
    with pinned_business_date(TODAY):
        yield county, loans


def domain(loan: Loan, day: dt.date = TODAY) -> tuple:
    s = loan_reads.loan_current_state(Loan.objects.get(pk=loan.pk), day)
    return tuple(getattr(s, f) for f in FIGURES)


def cached(loan: Loan) -> tuple:
    row = Loan.objects.get(pk=loan.pk)
    return tuple(getattr(row, f) for f in FIGURES)


def day_state(loan: Loan) -> tuple:
    row = LoanDayState.objects.get(loan_id=loan.pk)
    return tuple(getattr(row, f) for f in FIGURES)


def county_row(day: dt.date) -> Aggregate:
    return Aggregate.objects.get(as_of=day, level="county", code="411224", bank_id=0)


def audits(action: str):
    return AuditEntry.objects.filter(action=action).order_by("id")


# ------------------------------------------------------------------ the date rule, every entry point

def test_closing_1990_is_refused_everywhere_leaving_the_state_and_an_audit_row(closed, client):
    county, loans = closed
    states = list(LoanDayState.objects.order_by("loan_id").values_list("loan_id", "as_of", "penalty_owed"))
    assert len(states) == 8
    with pytest.raises(CloseDateError, match="业务日期前 400 天"):
        close_through(dt.date(1990, 1, 1))
    with pytest.raises(CommandError, match="日终被拒绝"):
        call_command("close_day", "--date", "1990-01-01")
    client.force_login(county.county_user)
    page = client.post("/monitoring/close/", {"date": "1990-01-01"}, follow=True).content.decode()
    assert "业务日期前 400 天" in page
    assert not Job.objects.filter(kind="daily_close").exists()  # nothing queued
    assert list(LoanDayState.objects.order_by("loan_id").values_list("loan_id", "as_of", "penalty_owed")) == states
    assert not CloseRun.objects.filter(business_date=dt.date(1990, 1, 1)).exists()
    refused = list(audits("close.refused"))
    assert [r.after["source"] for r in refused] == ["code", "cli", "page"]
    assert all(r.after["requested"] == "1990-01-01" and "400" in r.after["reason"] for r in refused)
    assert refused[2].actor == county.county_user and refused[1].actor is None


def test_a_future_date_is_refused_on_the_page_the_command_and_the_service(closed, client):
    county, _ = closed
    with pytest.raises(CloseDateError, match="晚于当前业务日期 2026-01-31"):
        run_close(dt.date(2026, 2, 1))
    with pytest.raises(CommandError, match="晚于当前业务日期"):
        call_command("close_day", "--date", "2026-02-01")
    client.force_login(county.county_user)
    assert "晚于当前业务日期" in client.post("/monitoring/close/", {"date": "2026-02-01"}, follow=True).content.decode()
    assert not CloseRun.objects.filter(business_date=dt.date(2026, 2, 1)).exists()
    assert audits("close.refused").count() == 3


def test_a_date_before_the_last_close_is_refused_a_rerun_and_a_catch_up_are_allowed(closed, client):
    county, _ = closed
    with pytest.raises(CloseDateError, match="早于最近一次已完成的日终 2026-01-30"):
        close_through(dt.date(2026, 1, 29))
    assert run_close(YESTERDAY, source="cli").runs == 2  # the latest closed date again: idempotent
    with pinned_business_date(dt.date(2026, 2, 2)):
        client.force_login(county.county_user)
        page = client.post("/monitoring/close/", {"date": "2026-02-02"}, follow=True).content.decode()
        assert "2026-01-31 至 2026-02-02，共 3 个日期" in page
        job = Job.objects.get(kind="daily_close")
        from microcredit.apps.jobs.runner import run_job

        job = run_job(job)
    assert job.status == "done", job.message
    assert job.result["dates"] == ["2026-01-31", "2026-02-01", "2026-02-02"]
    requests = list(audits("close.request"))  # the fixture's close, the rerun, the page, the worker
    assert [(r.after["source"], r.after["from"], r.after["count"]) for r in requests] == [
        ("code", "2026-01-30", 1), ("cli", "2026-01-30", 1), ("page", "2026-01-31", 3), ("page", "2026-01-31", 3)]
    assert "后台任务" in requests[-1].note and requests[-1].actor == county.county_user


def test_a_user_without_the_permission_changes_nothing(closed, client):
    county, _ = closed
    client.force_login(county.pboc)
    client.post("/monitoring/close/", {"date": "2026-01-31"})
    # an authorisation refusal records nothing (tests/integration/test_access_matrix.py)
    assert not Job.objects.filter(kind="daily_close").exists() and not audits("close.refused").exists()


def test_a_close_overtaken_by_a_later_one_does_not_write_its_older_state(closed):
    """Two closes at once (a catch-up of 01-31 and, meanwhile, one of 02-01): the older one
    must not replace the newer state."""
    def other_close(done, total, message=""):
        if done == 2 and not CloseRun.objects.filter(business_date=dt.date(2026, 2, 1)).exists():
            run_close(dt.date(2026, 2, 1))  # runs to the end while 01-31 is between read and write

    with pinned_business_date(dt.date(2026, 2, 1)):
        with pytest.raises(CloseDateError, match="运行期间另一日终已完成更晚的日期 2026-02-01"):
            close_through(dt.date(2026, 2, 1), other_close)
    assert set(LoanDayState.objects.values_list("as_of", flat=True)) == {dt.date(2026, 2, 1)}
    assert CloseRun.objects.get(business_date=TODAY).status == "failed"


# ------------------------------------------------------------------ postings during the close

def test_repayments_posted_between_read_and_write_stay_in_the_cache_and_the_days_figures(closed):
    county, loans = closed
    paid = loans[:5]

    def post_mid_close(done, total, message=""):
        if done == 2:  # the close has read the portfolio; it has not written yet
            for loan in paid:
                svc.repayment_post(loan=loan, amount=100000, on=TODAY, actor=county.officer)

    run = run_close(TODAY, post_mid_close)
    assert run.fallback >= len(paid)  # the moved loans were computed again from their events
    for loan in loans:
        assert cached(loan) == domain(loan), loan.pk  # no cache lost its payment
        assert day_state(loan) == domain(loan), loan.pk  # payments dated D are in D's state
    states = [loan_reads.loan_current_state(Loan.objects.get(pk=x.pk), TODAY) for x in loans]
    row = county_row(TODAY)
    assert row.balance == sum(s.principal_outstanding for s in states)
    assert row.penalty == sum(s.penalty_owed for s in states)
    assert closes_mark_stale(today=TODAY) is None  # everything posted was counted


def test_a_loan_settled_and_one_disbursed_mid_close_are_taken_as_they_are_now(closed):
    county, loans = closed

    def mid_close(done, total, message=""):
        if done == 2 and not hasattr(mid_close, "new"):
            svc.settlement_post(loan=loans[0], on=TODAY, actor=county.officer)
            mid_close.new = county.loan(village=1, disbursed=TODAY)

    run_close(TODAY, mid_close)
    assert not LoanDayState.objects.filter(loan_id=loans[0].pk).exists()
    assert day_state(mid_close.new) == domain(mid_close.new)
    assert county_row(TODAY).loans == 8  # 8 − the settled one + the new one


# ------------------------------------------------------------------ postings after the close: stale

def test_a_payment_for_yesterday_posted_today_re_runs_yesterday_before_today(closed):
    county, loans = closed
    before = county_row(YESTERDAY).overdue_loans
    svc.repayment_post(loan=loans[0], amount=300000, on=YESTERDAY, actor=county.officer)  # the bank's file
    assert closes_mark_stale() == YESTERDAY
    assert CloseRun.objects.get(business_date=YESTERDAY).stale
    assert "下次日终从 2026-01-30 重跑" in audits("close.stale").get().note
    runs = close_through(TODAY)
    assert [r.business_date for r in runs] == [YESTERDAY, TODAY]
    assert county_row(YESTERDAY).overdue_loans == before - 1  # yesterday's figures now count the payment
    assert county_row(YESTERDAY).penalty == sum(
        loan_reads.loan_current_state(Loan.objects.get(pk=x.pk), YESTERDAY).penalty_owed for x in loans)
    assert not CloseRun.objects.filter(stale=True).exists() and closes_mark_stale() is None
    assert day_state(loans[0]) == domain(loans[0])  # the current state ends at the latest date


def test_a_payment_posted_during_a_catch_up_for_a_date_already_closed_in_it_marks_that_date(closed):
    county, loans = closed

    def late_file(done, total, message=""):
        if done == 2 + 6:  # the catch-up closed 01-31 and has read 02-01
            svc.repayment_post(loan=loans[1], amount=50000, on=TODAY, actor=county.officer)

    with pinned_business_date(dt.date(2026, 2, 1)):
        runs = close_through(dt.date(2026, 2, 1), late_file)
        assert [r.business_date for r in runs] == [TODAY, dt.date(2026, 2, 1)]
        assert day_state(loans[1]) == domain(loans[1], dt.date(2026, 2, 1))  # counted in 02-01 (moved)
        assert CloseRun.objects.get(business_date=TODAY).stale  # but 01-31 closed before it came
        assert closes_mark_stale() == TODAY


def test_the_schedule_re_runs_an_earlier_stale_close_but_not_the_business_date_itself(closed):
    county, loans = closed
    run_close(TODAY)
    schedule_close()
    assert not Job.objects.exists()  # today is closed and current
    svc.repayment_post(loan=loans[2], amount=30000, on=TODAY, actor=county.officer)
    schedule_close()
    assert not Job.objects.exists()  # today's own staleness waits for tomorrow's close
    with pinned_business_date(dt.date(2026, 2, 1)):
        schedule_close()
        job = Job.objects.get(kind="daily_close")
        assert job.params == {"date": "2026-02-01", "scheduled": True, "source": "schedule"}
        from microcredit.apps.jobs.runner import run_job

        assert run_job(job).result["dates"] == ["2026-01-31", "2026-02-01"]
        assert county_row(TODAY).penalty == sum(
            loan_reads.loan_current_state(Loan.objects.get(pk=x.pk), TODAY).penalty_owed for x in loans)
        assert audits("close.request").last().after["source"] == "schedule"
