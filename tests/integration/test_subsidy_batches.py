"""Subsidy batches: lines from the domain, totals, approvals, no double claim, recovery, report."""

from __future__ import annotations

import datetime as dt

import pytest

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.core.workflow import WorkflowRefused
from microcredit.apps.funds import subsidy
from microcredit.apps.funds.models import SubsidyBatch, SubsidyLine
from microcredit.apps.loans import servicing as svc
from microcredit.apps.loans import selectors as loan_reads
from microcredit.apps.loans.models import Installment
from microcredit.apps.rating import sanctions
from microcredit.domain.money import yuan_to_fen
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
        with pytest.raises(WorkflowRefused):
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


def test_direct_mode_batch_claims_exactly_the_domain_subsidy_shares(client):
    """直接贴付 (ADR 0004): households pay principal + interest − subsidy share; late periods earn nothing."""
    from django.urls import reverse

    from microcredit.apps.funds.models import FundAccount
    from microcredit.domain.subsidy import interest_split

    with pinned_business_date(TODAY):
        c = County()
        FundAccount.objects.create(county_code="411224", bank=c.bank, name="卢氏县风险补偿金", opened_on=dt.date(2016, 1, 4),
                                   subsidy_mode="direct")
        # the loans take the county × bank's mode at disbursement (origination reads it; ADR 0004 amendment)
        good = c.loan(disbursed=dt.date(2025, 3, 15), subsidy_mode=subsidy.subsidy_mode(c.bank, "411224"))
        late = c.loan(village=2, disbursed=dt.date(2025, 4, 1), subsidy_mode=subsidy.subsidy_mode(c.bank, "411224"))
        from microcredit.apps.loans.models import Loan

        Loan.objects.filter(pk__in=[good.pk, late.pk]).update(subsidy_ratio="0.5")  # 50 % counties [S1 第1篇]
        good.refresh_from_db()
        late.refresh_from_db()
        for loan, delay in ((good, 0), (late, 5)):
            splits = {s.seq: s for s in interest_split(loan_reads.loan_schedule(loan), loan_reads.loan_terms(loan),
                                                       subsidy.subsidy_terms(loan))}
            for i in Installment.objects.filter(loan=loan, due_date__lte=TODAY, schedule_version=loan.schedule_version):
                svc.repayment_post(loan=loan, amount=i.principal + splits[i.seq].household_share,
                                   on=i.due_date + dt.timedelta(days=delay), actor=c.officer)
        # a claim-mode batch claims none of the direct-mode loans' periods (each loan keeps its mode)
        claim = subsidy.batch_draft(bank=c.bank, county_code="411224", period="quarter", start=dt.date(2025, 10, 1),
                                    actor=c.officer, mode="claim")
        assert claim.mode == "claim" and claim.line_count == 0
        batch = subsidy.batch_draft(bank=c.bank, county_code="411224", period="quarter", start=dt.date(2025, 10, 1),
                                    actor=c.officer)
    assert batch.mode == "direct"
    q = (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    expected = sum(p.amount for p in subsidy.loan_direct_periods(good, TODAY) if q[0] <= p.due_date <= q[1])
    shares = sum(s.subsidy_share for s in interest_split(loan_reads.loan_schedule(good), loan_reads.loan_terms(good),
                                                         subsidy.subsidy_terms(good)) if q[0] <= s.due_date <= q[1])
    assert batch.total == expected == shares > 0
    assert {x.loan_id for x in batch.lines.all()} == {good.pk}  # the late household earns nothing
    assert all(p.amount == 0 for p in subsidy.loan_direct_periods(late, TODAY))
    # the loan page and the receipt show the household's share and the subsidy share
    client.force_login(c.officer)
    page = client.get(reverse("loans:detail", args=[good.pk])).content.decode()
    assert "直接贴付" in page and "贴息（银行申领）" in page
    event = good.events.filter(kind="repayment").order_by("-on").first()
    receipt = client.get(reverse("loans:receipt", args=[event.pk])).content.decode()
    assert "农户应付利息" in receipt and "贴息（银行申领）" in receipt
    api = client.get(f"/api/v1/loans/{good.pk}/subsidy-split").json()
    assert sum(yuan_to_fen(r["subsidy_share"]) for r in api["periods"] if r["eligible"] and q[0].isoformat() <= r["due_date"]
               <= q[1].isoformat()) == batch.total and api["mode"] == "direct"


def test_finance_sets_the_subsidy_mode_on_the_fund_account_page(client):
    from django.urls import reverse

    from microcredit.apps.audit.models import AuditEntry
    from microcredit.apps.funds.models import FundAccount

    c = County()
    acct = FundAccount.objects.create(county_code="411224", bank=c.bank, name="卢氏县风险补偿金", opened_on=dt.date(2016, 1, 4))
    assert subsidy.subsidy_mode(c.bank, "411224") == "claim"
    client.force_login(c.officer)  # no manage_fund: ignored
    client.post(reverse("funds:account", args=[acct.pk]), {"subsidy_mode": "direct"})
    assert subsidy.subsidy_mode(c.bank, "411224") == "claim"
    client.force_login(c.finance)
    response = client.post(reverse("funds:account", args=[acct.pk]), {"subsidy_mode": "direct"}, follow=True)
    assert subsidy.subsidy_mode(c.bank, "411224") == "direct" and "直接贴付" in response.content.decode()
    assert AuditEntry.objects.filter(action="fund.subsidy_mode").count() == 1


def test_direct_mode_loan_state_counts_the_banks_subsidy_shares_in_the_close_too():
    """A household that paid only its share on time owes nothing: the booked subsidy share pays the rest
    of the interest, in the loan's state, its cached figures and the daily close alike (ADR 0004)."""
    from microcredit.apps.funds.models import FundAccount
    from microcredit.apps.monitoring.close import run_close
    from microcredit.apps.monitoring.models import LoanDayState
    from microcredit.domain.subsidy import interest_split

    with pinned_business_date(TODAY):
        c = County()
        FundAccount.objects.create(county_code="411224", bank=c.bank, name="卢氏县风险补偿金",
                                   opened_on=dt.date(2016, 1, 4), subsidy_mode="direct")
        loan = c.loan(disbursed=dt.date(2025, 3, 15), subsidy_mode=subsidy.subsidy_mode(c.bank, "411224"))
        from microcredit.apps.loans.models import Loan

        Loan.objects.filter(pk=loan.pk).update(subsidy_ratio="0.5")  # the household pays half the interest
        loan.refresh_from_db()
        splits = {s.seq: s for s in interest_split(loan_reads.loan_schedule(loan), loan_reads.loan_terms(loan),
                                                   subsidy.subsidy_terms(loan))}
        due = list(Installment.objects.filter(loan=loan, due_date__lte=TODAY, schedule_version=loan.schedule_version))
        assert due and all(splits[i.seq].subsidy_share > 0 for i in due)
        for i in due:
            svc.repayment_post(loan=loan, amount=i.principal + splits[i.seq].household_share, on=i.due_date,
                               actor=c.officer)
        state = loan_reads.loan_current_state(loan, TODAY)
        assert (state.overdue_interest, state.days_past_due, state.classification) == (0, 0, "normal")
        loan.refresh_from_db()
        assert (loan.overdue_interest, loan.days_past_due) == (0, 0)
        run_close(TODAY)
        row = LoanDayState.objects.get(loan=loan)
        assert (row.overdue_interest, row.days_past_due, row.classification) == (0, 0, "normal")


def test_blacklisting_for_malicious_default_recovers_the_paid_subsidy(county):
    """DOMAIN §6/§8: listing a household as a malicious defaulter stops subsidy and recovers what was
    paid on its loans still owed (a recovery batch with negative lines, the loan flagged)."""
    with pinned_business_date(TODAY):
        batch = subsidy.batch_draft(bank=county.bank, county_code="411224", period="quarter",
                                    start=dt.date(2025, 10, 1), actor=county.officer)
        subsidy.batch_transition(batch=batch, action="verify", actor=county.pboc, opinion="核对无误")
        subsidy.batch_transition(batch=batch, action="approve", actor=county.county_user)
        subsidy.batch_transition(batch=batch, action="pay", actor=county.finance)
        paid = sum(x.amount for x in batch.lines.filter(loan=county.good))
        sanctions.blacklist_add(household=county.good.household, reason="有能力不还", actor=county.county_user)
        recovered = SubsidyLine.objects.filter(loan=county.good, kind="recovery")
        assert paid > 0 and sum(x.amount for x in recovered) == -paid
        county.good.refresh_from_db()
        assert county.good.risk_flag
        # not malicious (e.g. a listing for other reasons): nothing recovered from the monthly loan
        sanctions.blacklist_add(household=county.monthly.household, reason="其他失信", malicious=False,
                                actor=county.county_user)
        assert not SubsidyLine.objects.filter(loan=county.monthly, kind="recovery").exists()


def test_the_quarterly_reports_excel_names_the_county(county):
    """Words, not codes (issue #11 §3): the report's 县 column is the county's name, not "411224"."""
    from python_calamine import CalamineWorkbook

    from microcredit.apps.funds.export import write_report_xlsx

    with pinned_business_date(TODAY):
        batch = subsidy.batch_draft(bank=county.bank, county_code="411224", period="quarter",
                                    start=dt.date(2025, 10, 1), actor=county.officer)
        for action, actor in (("verify", county.pboc), ("approve", county.county_user), ("pay", county.finance)):
            subsidy.batch_transition(batch=batch, action=action, actor=actor, opinion="核对无误")
        report = subsidy.quarterly_report(SubsidyBatch.objects.all(), 2025, 4)
    rows = CalamineWorkbook.from_filelike(write_report_xlsx(report)).get_sheet_by_index(0).to_python()
    assert rows[2][0] == county.tree.county.name and "411224" not in str(rows[2][0])
