"""Subsidy batches: lines from the domain, totals, approvals, no double claim, recovery, report."""

from __future__ import annotations

import datetime as dt

import pytest

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.funds import subsidy
from microcredit.apps.funds.models import SubsidyBatch, SubsidyLine
from microcredit.apps.loans import servicing as svc
from microcredit.apps.loans.models import Installment
from tests.batch.portfolio import County

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 1, 10)


@pytest.fixture
def county():
    with pinned_business_date(TODAY):
        c = County()
        c.good = c.loan(disbursed=dt.date(2025, 3, 15))
        c.late = c.loan(village=2, disbursed=dt.date(2025, 4, 1))
        c.monthly = c.loan(village=1, method="equal_installment", months=12, disbursed=dt.date(2025, 9, 30))
        for loan, delay in ((c.good, 0), (c.late, 5), (c.monthly, 0)):
            for i in Installment.objects.filter(loan=loan, due_date__lte=TODAY):
                svc.repayment_post(loan=loan, amount=i.principal + i.interest + (999 if delay else 0),
                                   on=i.due_date + dt.timedelta(days=delay), actor=c.officer)
        yield c


def test_batch_totals_equal_lines_and_domain_amounts(county):
    with pinned_business_date(TODAY):
        batch = subsidy.batch_draft(bank=county.bank, county_code="411224", period="quarter",
                                    start=dt.date(2025, 10, 1), actor=county.officer)
    lines = list(batch.lines.all())
    assert batch.total == sum(x.amount for x in lines) and batch.line_count == len(lines)
    expected = 0
    for loan in (county.good, county.late, county.monthly):
        expected += sum(p.amount for p in subsidy.loan_subsidy_periods(loan, TODAY)
                        if dt.date(2025, 10, 1) <= p.due_date <= dt.date(2025, 12, 31) and p.eligible)
    assert batch.total == expected > 0
    assert not any(x.loan_id == county.late.pk for x in lines)  # paid 5 days late: no subsidy
    assert {x.loan_id for x in lines} == {county.good.pk, county.monthly.pk}


def test_workflow_to_paid_no_double_claim_recovery_and_quarterly_report(county):
    with pinned_business_date(TODAY):
        batch = subsidy.batch_draft(bank=county.bank, county_code="411224", period="quarter",
                                    start=dt.date(2025, 10, 1), actor=county.officer)
        with pytest.raises(subsidy.SubsidyError):
            subsidy.batch_transition(batch=batch, action="approve", actor=county.county_user)
        subsidy.batch_transition(batch=batch, action="verify", actor=county.pboc, opinion="核对无误")
        subsidy.batch_transition(batch=batch, action="approve", actor=county.county_user)
        batch = subsidy.batch_transition(batch=batch, action="pay", actor=county.finance)
        assert batch.status == "paid" and batch.steps.count() == 4
        again = subsidy.batch_draft(bank=county.bank, county_code="411224", period="quarter",
                                    start=dt.date(2025, 10, 1), actor=county.officer)
        assert again.total == 0
        rec = subsidy.subsidy_recover(loan=county.good, actor=county.county_user, reason="恶意逃废债")
        paid_good = sum(x.amount for x in batch.lines.filter(loan=county.good))
        assert rec.total == -paid_good
        report = subsidy.quarterly_report(SubsidyBatch.objects.all(), 2025, 4)
    assert report["total_q"] == batch.total
    with pytest.raises(subsidy.SubsidyError, match="期间未结束"):
        with pinned_business_date(dt.date(2025, 12, 1)):
            subsidy.batch_draft(bank=county.bank, county_code="411224", period="quarter",
                                start=dt.date(2025, 10, 1), actor=county.officer)
    assert SubsidyLine.objects.filter(kind="recovery").count() >= 1
