"""Collection cases follow the daily close (issue #12 §3): after any sequence of closes and
repayments, every active loan overdue after the close has exactly one open case, and no other loan
has one; a repaid loan's case is resolved with a note; a loan falling overdue again gets a new case.
Randomized sequences through the real close (``monitoring.close.run_close``) and the real
repayment service (``loans.servicing.repayment_post``)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import IntegrityError, transaction

from microcredit.apps.collection.models import Case, CaseEvent
from microcredit.apps.collection.services import cases_after_close
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.loans import servicing as svc
from microcredit.apps.loans.models import Loan, LoanStatus
from microcredit.apps.monitoring.close import run_close
from microcredit.domain import collection as rules
from tests.batch.portfolio import County

pytestmark = pytest.mark.django_db
START = dt.date(2025, 4, 1)


def assert_one_open_case_per_overdue_loan():
    overdue = set(Loan.objects.filter(status=LoanStatus.ACTIVE, days_past_due__gte=1).values_list("pk", flat=True))
    open_cases = list(Case.objects.filter(state__in=rules.OPEN_STATES).values_list("loan_id", flat=True))
    assert len(open_cases) == len(set(open_cases)), "two open cases for one loan"
    assert set(open_cases) == overdue
    for case in Case.objects.filter(state__in=rules.OPEN_STATES).select_related("loan"):
        assert case.days_past_due == case.loan.days_past_due
        assert case.band == rules.band_for(case.loan.days_past_due)


def build(seed: int):
    rng = random.Random(seed)
    with pinned_business_date(START):
        county = County()
        loans = []
        for k in range(5):
            method = rng.choice(["interest_quarterly", "interest_monthly", "bullet", "equal_installment"])
            loans.append(county.loan(village=k % 4, method=method, months=rng.choice([6, 12, 24]),
                                     disbursed=START - dt.timedelta(days=rng.randint(20, 200)),
                                     principal=rng.choice([1000000, 3000000, 5000000])))
    return rng, county, loans


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_exactly_one_open_case_per_overdue_loan_after_any_sequence(seed):
    rng, county, loans = build(seed)
    day = START
    for _step in range(14):
        day += dt.timedelta(days=rng.choice([1, 5, 13, 29, 31, 45]))
        with pinned_business_date(day):
            for loan in rng.sample(loans, rng.randint(0, 3)):
                loan.refresh_from_db()
                if loan.status != LoanStatus.ACTIVE:
                    continue
                amount = rng.choice([5000, 50000, 300000, 2000000])
                svc.repayment_post(loan=loan, amount=amount, on=day, actor=county.officer)
            run_close(day)
            assert_one_open_case_per_overdue_loan()
            if rng.random() < 0.3:  # a rerun of the same close changes nothing
                before = (Case.objects.count(), CaseEvent.objects.count())
                run_close(day)
                assert (Case.objects.count(), CaseEvent.objects.count()) == before
    for case in Case.objects.filter(state=rules.RESOLVED):
        assert case.events.filter(kind="resolved").exclude(note="").exists()
    assert Case.objects.exists()


def test_a_repaid_loan_is_resolved_and_a_new_case_opens_when_it_falls_overdue_again():
    with pinned_business_date(dt.date(2025, 7, 1)):
        county = County()
        loan = county.loan(method="interest_quarterly", months=24, disbursed=dt.date(2025, 3, 21), principal=3000000)
    with pinned_business_date(dt.date(2025, 7, 1)):  # first quarter's interest due 2025-06-21, unpaid
        run_close(dt.date(2025, 7, 1))
    case = Case.objects.get(loan=loan)
    assert case.state == "open" and case.band == "village" and case.days_past_due == 10
    assert case.events.get().kind == "opened"
    with pinned_business_date(dt.date(2025, 7, 5)):
        svc.repayment_post(loan=loan, amount=40000, on=dt.date(2025, 7, 5), actor=county.officer)
        run_close(dt.date(2025, 7, 5))
    case.refresh_from_db()
    assert case.state == "resolved" and case.resolved_on == dt.date(2025, 7, 5)
    assert "不再逾期" in case.events.get(kind="resolved").note
    assert not Case.objects.filter(loan=loan, state__in=rules.OPEN_STATES).exists()
    with pinned_business_date(dt.date(2025, 10, 1)):  # next quarter (2025-09-21) unpaid: a new case
        run_close(dt.date(2025, 10, 1))
    assert Case.objects.filter(loan=loan).count() == 2
    assert Case.objects.get(loan=loan, state__in=rules.OPEN_STATES).opened_on == dt.date(2025, 10, 1)


def test_the_database_refuses_a_second_open_case():
    with pinned_business_date(dt.date(2025, 7, 1)):
        county = County()
        loan = county.loan(method="interest_quarterly", months=24, disbursed=dt.date(2025, 3, 15))
        run_close(dt.date(2025, 7, 1))
    case = Case.objects.get(loan=loan)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(loan=loan, region_code=case.region_code, bank=case.bank, opened_on=case.opened_on,
                            state_entered_on=case.opened_on, updated_on=case.opened_on, state="in_progress")
    Case.objects.filter(pk=case.pk).update(state="resolved")
    Case.objects.create(loan=loan, region_code=case.region_code, bank=case.bank, opened_on=case.opened_on,
                        state_entered_on=case.opened_on, updated_on=case.opened_on)  # resolved ones do not count


def test_the_sync_is_set_based(django_assert_max_num_queries):
    with pinned_business_date(dt.date(2025, 7, 1)):
        county = County()
        for k in range(12):
            county.loan(village=k % 4, method="interest_quarterly", months=24, disbursed=dt.date(2025, 3, 15))
        run_close(dt.date(2025, 7, 1))
    Case.objects.all().delete()
    with django_assert_max_num_queries(8):  # open 12 cases: the same handful of queries as for 1
        counts = cases_after_close(dt.date(2025, 7, 1))
    assert counts["opened"] == 12
