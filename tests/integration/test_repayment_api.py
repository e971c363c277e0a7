"""POST /api/v1/loans/{id}/repayments: the bank's system posts repayments with an idempotency key."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from microcredit.apps.accounts.tokens import issue_token
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.loans.models import EventKind, LoanEvent
from tests.batch.portfolio import County


@pytest.fixture
def setup(db):
    with pinned_business_date(dt.date(2026, 1, 1)):
        county = County()
        raw, _ = issue_token(county.officer)
        yield county, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_same_key_twice_records_one_payment(setup, client):
    county, auth = setup
    loan = county.loan()
    body = {"amount": "36.25", "on": "2025-03-21", "reference": "B001", "idempotency_key": "bank-1"}
    with pinned_business_date(dt.date(2026, 1, 1)):
        r1 = client.post(f"/api/v1/loans/{loan.pk}/repayments", body, content_type="application/json", **auth)
        r2 = client.post(f"/api/v1/loans/{loan.pk}/repayments", body, content_type="application/json", **auth)
    assert (r1.status_code, r2.status_code) == (201, 200), r1.content
    assert r1.json()["receipt_id"] == r2.json()["receipt_id"]
    assert r1.json()["allocation"]["interest"] == "36.25"
    assert LoanEvent.objects.filter(loan=loan, kind=EventKind.REPAYMENT).count() == 1


def test_key_reused_for_another_amount_is_a_conflict_and_bad_input_is_422(setup, client):
    county, auth = setup
    loan = county.loan()
    with pinned_business_date(dt.date(2026, 1, 1)):
        client.post(f"/api/v1/loans/{loan.pk}/repayments", {"amount": "10.00", "on": "2025-04-01"},
                    content_type="application/json", HTTP_IDEMPOTENCY_KEY="k9", **auth)
        r = client.post(f"/api/v1/loans/{loan.pk}/repayments", {"amount": "11.00", "on": "2025-04-01"},
                        content_type="application/json", HTTP_IDEMPOTENCY_KEY="k9", **auth)
        assert r.status_code == 409
        r = client.post(f"/api/v1/loans/{loan.pk}/repayments", {"amount": "1.001", "on": "2025-04-01"},
                        content_type="application/json", **auth)
        assert r.status_code == 422
        r = client.post(f"/api/v1/loans/{loan.pk}/repayments", {"amount": "1.00", "on": "2020-01-01"},
                        content_type="application/json", **auth)
        assert r.status_code == 422 and "早于放款日" in r.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_two_repayments_at_the_same_moment_are_both_recorded():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (SQLite serialises writers by locking the whole file)")
    from microcredit.apps.loans import servicing as svc
    from microcredit.apps.loans import selectors as loan_reads
    from microcredit.apps.loans.models import Loan

    with pinned_business_date(dt.date(2026, 1, 1)):
        county = County()
        loan = county.loan()
    barrier = threading.Barrier(2)
    errors = []

    def post(amount):
        try:
            with pinned_business_date(dt.date(2026, 1, 1)):
                barrier.wait()
                svc.repayment_post(loan=loan.pk, amount=amount, on=dt.date(2025, 8, 1), actor=None)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(a,)) for a in (30000, 40000)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    loan = Loan.objects.get(pk=loan.pk)
    assert LoanEvent.objects.filter(loan=loan, kind=EventKind.REPAYMENT).count() == 2
    expected = loan_reads.loan_current_state(loan, dt.date(2026, 1, 1))
    assert loan.principal_outstanding == expected.principal_outstanding
    assert loan.basis_advance == loan_reads.loan_current_state(loan, dt.date(2025, 8, 1)).advance
    assert (loan.penalty_owed, loan.overdue_interest) == (expected.penalty_owed, expected.overdue_interest)



def test_idempotency_keys_are_per_loan_so_no_bank_blocks_or_probes_another(setup, client):
    """The same key on two loans records two payments (issue #9: keys were global across banks)."""
    county, auth = setup
    first, second = county.loan(), county.loan()
    with pinned_business_date(dt.date(2026, 1, 1)):
        r1 = client.post(f"/api/v1/loans/{first.pk}/repayments", {"amount": "10.00", "on": "2025-04-01"},
                         content_type="application/json", HTTP_IDEMPOTENCY_KEY="20250401-001", **auth)
        r2 = client.post(f"/api/v1/loans/{second.pk}/repayments", {"amount": "12.00", "on": "2025-04-01"},
                         content_type="application/json", HTTP_IDEMPOTENCY_KEY="20250401-001", **auth)
    assert (r1.status_code, r2.status_code) == (201, 201), r2.content
    assert LoanEvent.objects.filter(idempotency_key="20250401-001").count() == 2


@pytest.mark.parametrize("body, header, field", [
    ({"amount": "10.00", "on": "2025-04-01", "idempotency_key": "k" * 81}, {}, "idempotency_key"),
    ({"amount": "10.00", "on": "2025-04-01"}, {"HTTP_IDEMPOTENCY_KEY": "k" * 81}, "idempotency_key"),
    ({"amount": "10.00", "on": "2025-04-01", "reference": "r" * 65}, {}, "reference"),
    ({"amount": "6222021234567890123", "on": "2025-04-01"}, {}, "amount"),
    ({"amount": "10.00", "on": "9999-12-01"}, {}, "on"),
])
def test_oversized_inputs_are_422_naming_the_field_never_500(setup, client, body, header, field):
    county, auth = setup
    loan = county.loan()
    with pinned_business_date(dt.date(2026, 1, 1)):
        r = client.post(f"/api/v1/loans/{loan.pk}/repayments", body, content_type="application/json",
                        **header, **auth)
    assert r.status_code == 422, r.content
    assert field in r.content.decode()
