"""The daily close in the database: agrees with domain, idempotent, catches up, month-end snapshots."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.loans import servicing as svc
from microcredit.apps.loans import selectors as loan_reads
from microcredit.apps.loans.models import Loan
from microcredit.apps.monitoring.close import close_through, run_close
from microcredit.apps.monitoring.models import Aggregate, CloseRun, LoanDayState, LoanMonthSnapshot
from tests.batch.portfolio import County

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 1, 31)


@pytest.fixture
def portfolio():
    with pinned_business_date(TODAY):
        county = County()
        loans = [
            county.loan(village=0),
            county.loan(village=1, method="equal_installment", months=12, disbursed=dt.date(2025, 2, 28)),
            county.loan(village=2, method="bullet", months=12, disbursed=dt.date(2025, 1, 10)),
            county.loan(village=3, method="interest_monthly", months=24, disbursed=dt.date(2025, 6, 1)),
        ]
        svc.repayment_post(loan=loans[0], amount=60000, on=dt.date(2025, 8, 1), actor=county.officer)
        svc.repayment_post(loan=loans[1], amount=900000, on=dt.date(2025, 5, 1), actor=county.officer)
        svc.repayment_post(loan=loans[3], amount=5000, on=dt.date(2025, 6, 21), actor=county.officer)
        yield county, loans


def snapshot_tables():
    return ([model_to_dict(x) for x in LoanDayState.objects.order_by("loan_id")],
            [model_to_dict(x) for x in Aggregate.objects.order_by("as_of", "level", "code", "bank_id")],
            [model_to_dict(x) for x in LoanMonthSnapshot.objects.order_by("as_of", "loan_id_value")],
            [model_to_dict(x) for x in Loan.objects.order_by("id")])


def test_close_agrees_with_domain_and_writes_aggregates(portfolio):
    county, loans = portfolio
    run = run_close(TODAY)
    assert (run.status, run.loans) == ("done", 4)
    for loan in loans:
        st = loan_reads.loan_current_state(Loan.objects.get(pk=loan.pk), TODAY)
        ds = LoanDayState.objects.get(loan_id=loan.pk)
        assert (ds.days_past_due, ds.classification, ds.penalty_owed, ds.principal_outstanding, ds.advance) == (
            st.days_past_due, st.classification, st.penalty_owed, st.principal_outstanding, st.advance)
        assert Loan.objects.get(pk=loan.pk).days_past_due == st.days_past_due
    bullet = LoanDayState.objects.get(loan_id=loans[2].pk)
    assert bullet.days_past_due == 21 and bullet.warning_light == "red"
    county_row = Aggregate.objects.get(as_of=TODAY, level="county", code="411224", bank_id=0)
    assert county_row.loans == 4 and county_row.balance == sum(
        LoanDayState.objects.values_list("principal_outstanding", flat=True))
    township = Aggregate.objects.get(as_of=TODAY, level="township", code="411224101", bank_id=0)
    assert township.overdue_loans == 2 and township.red == 2
    assert LoanMonthSnapshot.objects.filter(as_of=TODAY).count() == 4  # 01-31 is a month end


def test_close_twice_for_one_date_changes_nothing(portfolio):
    run_close(TODAY)
    before = snapshot_tables()
    run = run_close(TODAY)
    assert run.changed == 0 and run.runs == 2
    assert snapshot_tables() == before


def test_repayment_then_close_changes_class_and_township_figures(portfolio):
    county, loans = portfolio
    run_close(TODAY)
    township = "411224101"
    before = Aggregate.objects.get(as_of=TODAY, level="township", code=township, bank_id=0)
    with pinned_business_date(TODAY):
        svc.settlement_post(loan=loans[2], on=TODAY, actor=county.officer)
    run_close(TODAY)
    after = Aggregate.objects.get(as_of=TODAY, level="township", code=township, bank_id=0)
    assert after.overdue_loans == before.overdue_loans - 1
    assert after.balance == before.balance - 5000000
    assert not LoanDayState.objects.filter(loan_id=loans[2].pk).exists()


def test_catch_up_runs_missed_dates_and_command(portfolio, capsys):
    run_close(dt.date(2026, 1, 27))
    runs = close_through(TODAY)
    assert [r.business_date.day for r in runs] == [28, 29, 30, 31]
    with pinned_business_date(dt.date(2026, 2, 2)):
        call_command("close_day", "--date", "2026-02-02")
    assert CloseRun.objects.filter(status="done").count() == 7
    assert "2026-02-02" in capsys.readouterr().out


def test_close_of_a_date_before_a_recorded_payment_uses_the_domain_engine(portfolio):
    county, loans = portfolio
    run = run_close(dt.date(2025, 7, 1))  # loans[0] has a payment dated 2025-08-01 (basis after the date)
    assert run.fallback >= 1
    st = loan_reads.loan_current_state(Loan.objects.get(pk=loans[0].pk), dt.date(2025, 7, 1))
    assert LoanDayState.objects.get(loan_id=loans[0].pk).penalty_owed == st.penalty_owed


def test_job_handler_runs_the_close_with_progress(portfolio):
    from microcredit.apps.jobs.runner import run_job
    from microcredit.apps.monitoring.close import schedule_close

    with pinned_business_date(TODAY):
        schedule_close()
        schedule_close()
    from microcredit.apps.jobs.models import Job

    jobs = Job.objects.filter(kind="daily_close")
    assert jobs.count() == 1
    job = run_job(jobs.get())
    assert job.status == "done", job.message
    assert job.result["dates"] == [TODAY.isoformat()]


def test_close_page_and_dashboard_panel(portfolio, client):
    county, loans = portfolio
    run_close(TODAY)
    client.force_login(county.county_user)
    page = client.get("/monitoring/close/").content.decode()
    assert "日终批处理" in page and "东明镇" in page
    r = client.post("/monitoring/close/", {"date": "2026-01-31"})
    assert r.status_code == 302
    assert "贷款监测" in client.get("/").content.decode()
    assert client.get("/api/v1/monitoring/aggregates?level=county").json()[0]["loans"] == 4
