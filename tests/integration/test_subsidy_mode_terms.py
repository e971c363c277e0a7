"""The subsidy mode is a term of the loan (issue #10 item 2, ADR 0004 amendment): set at disbursement from the
county × bank's fund account, copied by renewal, changed only by an effective-dated loans service; changing a
fund account's mode affects only loans disbursed afterwards."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.urls import reverse

from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.funds import subsidy
from microcredit.apps.funds.ledger import fund_deposit
from microcredit.apps.funds.models import FundAccount
from microcredit.apps.loans import servicing as svc
from microcredit.apps.loans import selectors as loan_reads
from microcredit.apps.loans.models import Installment, Loan, LoanEvent
from microcredit.apps.loans.services import LoanRefused
from microcredit.apps.monitoring.close import run_close
from microcredit.apps.monitoring.models import LoanDayState
from microcredit.apps.origination import services as origination
from microcredit.apps.reference.models import PolicyEra
from microcredit.domain.errors import DomainError
from microcredit.domain.subsidy import interest_split
from tests.batch.portfolio import County
from tests.factories import CARD_NUMBER, make_bank
from tests.integration.test_origination_flow import DAY, apply, walk, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 1, 10)


def _account(c, mode="claim"):
    return FundAccount.objects.create(county_code="411224", bank=c.bank, name="卢氏县风险补偿金",
                                      opened_on=dt.date(2016, 1, 4), subsidy_mode=mode)


def _pay_household_share(c, loan, until=TODAY):
    """On each due date: principal + the household's share of the interest (what a direct-mode household pays)."""
    splits = {s.seq: s for s in interest_split(loan_reads.loan_schedule(loan), loan_reads.loan_terms(loan), subsidy.subsidy_terms(loan))}
    for i in Installment.objects.filter(loan=loan, due_date__lte=until, schedule_version=loan.schedule_version):
        svc.repayment_post(loan=loan, amount=i.principal + splits[i.seq].household_share, on=i.due_date, actor=c.officer)


def _figures(loan):
    loan.refresh_from_db()
    state = loan_reads.loan_current_state(loan, TODAY)
    receipts = list(LoanEvent.objects.filter(loan=loan, kind="repayment").order_by("id").values_list("data", flat=True))
    return {"state": (state.overdue_interest, state.penalty_owed, state.advance, state.days_past_due,
                      state.classification, state.principal_outstanding),
            "cache": (loan.overdue_interest, loan.days_past_due, loan.classification, loan.advance),
            "receipts": receipts, "split": loan_reads.loan_interest_split(loan, TODAY),
            "claim": [(p.seq, p.eligible, p.amount) for p in subsidy.loan_subsidy_periods(loan, TODAY)],
            "direct": [(p.seq, p.eligible, p.amount) for p in subsidy.loan_direct_periods(loan, TODAY)]}


@pytest.mark.parametrize("before, after", [("claim", "direct"), ("direct", "claim")])
def test_changing_a_county_banks_mode_does_not_alter_existing_loans_past_figures(client, before, after):
    with pinned_business_date(TODAY):
        c = County()
        acct = _account(c, before)
        loan = c.loan(disbursed=dt.date(2025, 3, 15), subsidy_mode=subsidy.subsidy_mode(c.bank, "411224"))
        Loan.objects.filter(pk=loan.pk).update(subsidy_ratio="0.5")
        loan.refresh_from_db()
        _pay_household_share(c, loan)
        was = _figures(loan)
        assert loan.subsidy_mode == before
        # in claim mode the household that paid only its share owes the rest; in direct mode it owes nothing
        assert (was["state"][0] > 0) == (before == "claim")
        client.force_login(c.finance)
        page = client.post(reverse("funds:account", args=[acct.pk]), {"subsidy_mode": after}, follow=True)
        assert "只适用于此后发放的贷款" in page.content.decode()
        assert subsidy.subsidy_mode(c.bank, "411224") == after
        svc.loan_refresh_state(loan, TODAY)
        run_close(TODAY)
        assert _figures(loan) == was
        row = LoanDayState.objects.get(loan=loan)
        assert (row.overdue_interest, row.days_past_due) == was["state"][0:1] + was["state"][3:4]
        # a loan disbursed afterwards takes the new mode
        new = c.loan(village=1, disbursed=TODAY, subsidy_mode=subsidy.subsidy_mode(c.bank, "411224"))
        assert new.subsidy_mode == after


def test_loan_open_stores_the_passed_mode_and_renewal_keeps_it():
    with pinned_business_date(TODAY):
        c = County()
        loan = c.loan(disbursed=dt.date(2025, 3, 15), subsidy_mode="direct")
        assert Loan.objects.get(pk=loan.pk).subsidy_mode == "direct"
        assert c.loan(village=1).subsidy_mode == "claim"  # the default
        with pytest.raises(LoanRefused) as refused:
            c.loan(village=2, subsidy_mode="half")
        assert refused.value.field == "subsidy_mode"
        new = svc.loan_renew(loan=loan, on=TODAY, new_term_months=12, actor=c.officer, decision="同意续贷")
        assert new.subsidy_mode == "direct"


def test_disbursement_takes_the_county_banks_current_mode(world):  # noqa: F811
    tree, hh, bank, users = world
    account = FundAccount.objects.create(county_code="411224", bank=bank, name="卢氏县风险补偿金",
                                         opened_on=dt.date(2016, 1, 4), subsidy_mode="direct")
    fund_deposit(account=account, amount=100_000_000, on=DAY, actor=users["county"])
    app = walk(apply(hh, bank, users), users)
    app = origination.application_disburse(application=app, actor=users["bank"], annual_rate=Decimal("3.00"),
                                           method="interest_quarterly", disbursed_on=DAY + dt.timedelta(days=6),
                                           account_number=CARD_NUMBER)
    assert app.loan.subsidy_mode == "direct"


def test_the_data_migration_fills_existing_loans_from_their_fund_account():
    migration = importlib.import_module("microcredit.apps.loans.migrations.0005_subsidy_mode")
    with pinned_business_date(TODAY):
        c = County()
        loans = [c.loan(village=v, disbursed=dt.date(2025, 3, 15)) for v in (0, 1)]
        stays = c.loan(village=2, disbursed=dt.date(2025, 3, 15))
        Loan.objects.filter(pk=stays.pk).update(bank=make_bank("YCB", "邮储银行卢氏县支行"))  # no fund account: claim
        _account(c, "direct")
    assert migration.fill_subsidy_modes(Loan, FundAccount) == 2
    assert {x.subsidy_mode for x in Loan.objects.filter(pk__in=[x.pk for x in loans])} == {"direct"}
    assert Loan.objects.get(pk=stays.pk).subsidy_mode == "claim"


def test_a_loans_mode_change_applies_to_periods_due_on_or_after_its_date():
    with pinned_business_date(TODAY):
        c = County()
        loan = c.loan(disbursed=dt.date(2025, 3, 15))
        Loan.objects.filter(pk=loan.pk).update(subsidy_ratio="0.5")
        loan.refresh_from_db()
        due = list(Installment.objects.filter(loan=loan, due_date__lte=TODAY).order_by("seq"))
        assert len(due) >= 3
        switch = due[1].due_date
        with pytest.raises(DomainError) as bad:
            svc.loan_subsidy_mode_change(loan=loan, mode="direct", effective_from=dt.date(2025, 1, 1), actor=c.officer)
        assert bad.value.field == "effective_from"
        with pytest.raises(DomainError) as same:
            svc.loan_subsidy_mode_change(loan=loan, mode="claim", effective_from=switch, actor=c.officer)
        assert same.value.field == "mode"
        svc.loan_subsidy_mode_change(loan=loan, mode="direct", effective_from=switch, actor=c.officer, reason="县里通知")
        loan.refresh_from_db()
        assert loan.subsidy_mode == "direct" and loan.subsidy_mode_changes[0]["before"] == "claim"
        assert AuditEntry.objects.filter(action="loan.subsidy_mode", object_id=str(loan.pk)).count() == 1
        # the household pays the whole interest before the switch, only its share from the switch on
        splits = {s.seq: s for s in interest_split(loan_reads.loan_schedule(loan), loan_reads.loan_terms(loan),
                                                   subsidy.subsidy_terms(loan))}
        for i in due:
            share = splits[i.seq].household_share if i.due_date >= switch else i.interest
            svc.repayment_post(loan=loan, amount=i.principal + share, on=i.due_date, actor=c.officer)
        state = loan_reads.loan_current_state(loan, TODAY)
        assert (state.overdue_interest, state.days_past_due) == (0, 0)
        direct = {p.seq: p for p in subsidy.loan_direct_periods(loan, TODAY)}
        claim = {p.seq: p for p in subsidy.loan_subsidy_periods(loan, TODAY)}
        for i in due:
            assert direct[i.seq].eligible == (i.due_date >= switch)
            assert claim[i.seq].eligible == (i.due_date < switch)
        split = {p["seq"]: p for p in loan_reads.loan_interest_split(loan, TODAY)}
        assert split[due[0].seq]["subsidy_share"] == 0 and split[due[1].seq]["subsidy_share"] > 0
        run_close(TODAY)
        row = LoanDayState.objects.get(loan=loan)
        assert (row.overdue_interest, row.days_past_due) == (0, 0)
        # each period is claimed once, in its own mode's batch
        direct_batch = subsidy.batch_draft(bank=c.bank, county_code="411224", period="quarter",
                                           start=dt.date(2025, 10, 1), actor=c.officer, mode="direct")
        assert direct_batch.total == sum(p.amount for p in direct.values()
                                         if dt.date(2025, 10, 1) <= p.due_date <= dt.date(2025, 12, 31)) > 0


def test_the_eras_subsidy_years_are_fixed_on_the_loan_and_bound_its_subsidy_window(world):  # noqa: F811
    """PolicyEra.subsidy_max_years (贴息年限, DOMAIN §6 window) is copied at disbursement and kept by renewal;
    a later edit of the era does not move an existing loan's window."""
    tree, hh, bank, users = world
    PolicyEra.objects.update(subsidy_max_years=1)
    app = walk(apply(hh, bank, users), users)
    app = origination.application_disburse(application=app, actor=users["bank"], annual_rate=Decimal("3.00"),
                                           method="interest_quarterly", disbursed_on=DAY + dt.timedelta(days=6),
                                           account_number=CARD_NUMBER)
    loan = app.loan
    assert loan.subsidy_max_years == 1 and subsidy.subsidy_terms(loan).max_years == 1
    PolicyEra.objects.update(subsidy_max_years=3)
    loan.refresh_from_db()
    assert subsidy.subsidy_terms(loan).max_years == 1
    later = loan.disbursed_on + dt.timedelta(days=800)
    periods = subsidy.loan_subsidy_periods(loan, later)
    window_end = loan.disbursed_on.replace(year=loan.disbursed_on.year + 1)
    assert [p.days_in_window > 0 for p in periods] == [p.period_start < window_end for p in periods]
    assert any(p.period_start >= window_end for p in periods)
