"""Loan servicing services: repayment allocation, reversal, settlement, extension, renewal, write-off."""

from __future__ import annotations

import datetime as dt

import pytest

from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.loans import servicing as svc
from microcredit.apps.loans.models import EventKind, Installment, Loan, LoanEvent, LoanStatus
from microcredit.domain.errors import ConflictError
from tests.batch.portfolio import County

pytestmark = pytest.mark.django_db

CACHE = ["principal_outstanding", "overdue_principal", "overdue_interest", "penalty_owed", "advance",
         "days_past_due", "classification", "next_due_date", "basis_on", "basis_advance", "status"]


def cached(loan):
    loan = Loan.objects.get(pk=loan.pk)
    inst = list(Installment.objects.filter(loan=loan, schedule_version=loan.schedule_version)
                .order_by("seq").values_list("principal_paid", "interest_paid", "penalty_paid",
                                             "penalty_fen_days", "paid_off_on"))
    return {f: getattr(loan, f) for f in CACHE}, inst


@pytest.fixture
def county():
    with pinned_business_date(dt.date(2026, 1, 1)):
        yield County()


def test_repayment_allocates_penalty_interest_principal_and_gives_a_receipt(county):
    loan = county.loan()
    with pinned_business_date(dt.date(2026, 1, 1)):
        # 2025-03-21 interest 36.25; 2025-06-21 555.83 — pay both late on 2025-08-01.
        event, created = svc.repayment_post(loan=loan, amount=60000, on=dt.date(2025, 8, 1), actor=county.officer)
    assert created
    alloc = event.data["allocation"]
    assert alloc["penalty"] > 0 and alloc["interest"] == 3625 + 55583
    assert alloc["penalty"] + alloc["interest"] + alloc["principal"] + alloc["advance"] == 60000
    loan.refresh_from_db()
    assert loan.days_past_due > 0  # 2025-09-21 and 12-21 unpaid as of 2026-01-01
    assert AuditEntry.objects.filter(action="loan.repayment", household_id=loan.household_id).exists()


def test_allocation_then_reversal_restores_the_exact_state(county):
    loan = county.loan(method="equal_installment", months=12, disbursed=dt.date(2025, 1, 31))
    with pinned_business_date(dt.date(2026, 1, 1)):
        svc.repayment_post(loan=loan, amount=300000, on=dt.date(2025, 3, 5), actor=county.officer)
        svc.loan_refresh_state(Loan.objects.get(pk=loan.pk))
        before = cached(loan)
        event, _ = svc.repayment_post(loan=loan, amount=777777, on=dt.date(2025, 6, 1), actor=county.officer)
        assert cached(loan) != before
        svc.event_reverse(event=event, actor=county.officer, reason="录错金额")
        assert cached(loan) == before
    assert LoanEvent.objects.filter(kind=EventKind.REVERSAL, reverses=event).count() == 1
    with pytest.raises(PermissionError):
        LoanEvent.objects.filter(pk=event.pk).update(amount=1)


def test_idempotency_key_records_one_payment(county):
    loan = county.loan()
    with pinned_business_date(dt.date(2026, 1, 1)):
        e1, c1 = svc.repayment_post(loan=loan, amount=3625, on=dt.date(2025, 3, 21), actor=county.officer, idempotency_key="K1")
        e2, c2 = svc.repayment_post(loan=loan, amount=3625, on=dt.date(2025, 3, 21), actor=county.officer, idempotency_key="K1")
        assert (c1, c2, e1.pk) == (True, False, e2.pk)
        with pytest.raises(ConflictError):
            svc.repayment_post(loan=loan, amount=1, on=dt.date(2025, 3, 21), actor=county.officer, idempotency_key="K1")
    assert LoanEvent.objects.filter(loan=loan, kind=EventKind.REPAYMENT).count() == 1


def test_settlement_closes_the_loan_and_reversal_reopens_it(county):
    loan = county.loan(disbursed=dt.date(2025, 10, 8), months=12, method="bullet", principal=3000000)
    with pinned_business_date(dt.date(2026, 1, 1)):
        event = svc.settlement_post(loan=loan, on=dt.date(2025, 12, 31), actor=county.officer)
        loan.refresh_from_db()
        assert (loan.status, loan.principal_outstanding, loan.closed_on) == (LoanStatus.SETTLED, 0, dt.date(2025, 12, 31))
        assert event.amount == 3000000 + 3000000 * 435 * 84 // 3600000 + 1 or event.amount > 3000000
        svc.event_reverse(event=event, actor=county.officer, reason="撤销")
        loan.refresh_from_db()
        assert (loan.status, loan.principal_outstanding) == (LoanStatus.ACTIVE, 3000000)


def test_extension_within_limits_and_its_reversal(county):
    loan = county.loan(disbursed=dt.date(2025, 3, 15), months=12, method="interest_quarterly")
    with pinned_business_date(dt.date(2026, 1, 1)):
        for due in Installment.objects.filter(loan=loan, due_date__lte=dt.date(2026, 1, 1)):
            svc.repayment_post(loan=loan, amount=due.interest, on=due.due_date, actor=county.officer)
        with pytest.raises(svc.ServicingError):
            svc.loan_extend(loan=loan, on=dt.date(2026, 1, 1), extra_months=6, actor=county.officer, decision="")
        with pytest.raises(ValueError):
            svc.loan_extend(loan=loan, on=dt.date(2026, 1, 1), extra_months=13, actor=county.officer, decision="同意")
        event = svc.loan_extend(loan=loan, on=dt.date(2026, 1, 1), extra_months=6, actor=county.officer, decision="受灾，同意展期6个月")
        loan.refresh_from_db()
        assert (loan.maturity_date, loan.schedule_version) == (dt.date(2026, 9, 15), 2)
        svc.event_reverse(event=event, actor=county.officer, reason="误操作")
        loan.refresh_from_db()
        assert (loan.maturity_date, loan.schedule_version) == (dt.date(2026, 3, 15), 1)


def test_renewal_without_principal_repayment_settles_the_old_loan(county):
    loan = county.loan(disbursed=dt.date(2025, 3, 15), months=12, method="interest_quarterly")
    with pinned_business_date(dt.date(2026, 3, 10)):
        for due in Installment.objects.filter(loan=loan, due_date__lte=dt.date(2026, 3, 10)):
            svc.repayment_post(loan=loan, amount=due.interest, on=due.due_date, actor=county.officer)
        new = svc.loan_renew(loan=loan, on=dt.date(2026, 3, 10), new_term_months=12, actor=county.officer,
                             without_principal_repayment=True, decision="无还本续贷")
    loan.refresh_from_db()
    assert loan.status == LoanStatus.RENEWED and loan.principal_outstanding == 0
    assert new.renewed_from_id == loan.pk and new.principal == 5000000


def test_write_off_and_scope(county, client):
    loan = county.loan()
    with pinned_business_date(dt.date(2026, 1, 1)):
        svc.loan_write_off(loan=loan, on=dt.date(2026, 1, 1), actor=county.officer, reason="借款人死亡，代偿后核销")
    loan.refresh_from_db()
    assert loan.status == LoanStatus.WRITTEN_OFF
    from tests.factories import make_user

    outsider = make_user("village_station", scope_regions=["411224999"])
    client.force_login(outsider)
    assert client.get(f"/loans/{loan.pk}/").status_code == 404
    client.force_login(county.officer)
    page = client.get(f"/loans/{loan.pk}/").content.decode()
    assert "已核销" in page and "还款计划" in page
