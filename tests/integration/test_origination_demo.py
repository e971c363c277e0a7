"""Demo step of rating and origination: ratings, campaigns and applications in every state, loans
across the policy eras whose stored schedule is the domain's; same seed → same data."""

import datetime as dt
import io
from collections import Counter
from decimal import Decimal

import pytest

from microcredit.apps.loans.models import Installment, Loan
from microcredit.apps.origination.models import LoanApplication
from microcredit.apps.rating.models import Rating, RatingCampaign
from microcredit.demo.runner import generate
from microcredit.demo.scales import SCALES
from microcredit.domain.schedules import LoanTerms, build_schedule

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 20)


def _run(seed=3):
    generate(seed=seed, scale=SCALES["test"]._replace(households=400), business_date=DAY, progress=io.StringIO())


def test_demo_covers_states_eras_and_consistent_schedules():
    _run()
    campaign_states = set(RatingCampaign.objects.values_list("state", flat=True))
    assert campaign_states >= {"survey", "vote", "notice1", "township_review", "county_review", "bank_review",
                               "approved", "notice2", "effective"}
    assert Rating.objects.filter(status="effective").count() > 0.6 * 400
    states = Counter(LoanApplication.objects.values_list("state", flat=True))
    assert set(states) >= {"draft", "village_review", "township_review", "county_review", "bank_review", "approved",
                           "disbursed", "rejected", "withdrawn"}
    eras = set(Loan.objects.values_list("policy_era", flat=True))
    assert eras == {"fupin2014", "tuopin2021", "bangfu2026"}
    years = {d.year for d in Loan.objects.values_list("disbursed_on", flat=True)}
    assert min(years) == 2016 and max(years) == 2026
    # (the "servicing" step extends/renews a few loans afterwards: compare the original schedules)
    mine = Loan.objects.filter(application__isnull=False, schedule_version=1, renewed_from__isnull=True)
    assert mine.count() > 100
    for loan in mine.order_by("number")[::15]:
        schedule = build_schedule(LoanTerms(loan.principal, Decimal(loan.annual_rate), loan.disbursed_on,
                                            loan.term_months, loan.method))
        stored = list(Installment.objects.filter(loan=loan, schedule_version=1).order_by("seq").values_list(
            "due_date", "principal", "interest"))
        assert stored == [(i.due_date, i.principal, i.interest) for i in schedule.installments]
        assert loan.annual_rate <= loan.cap_rate
        app = loan.application
        assert app.days_to_money == (loan.disbursed_on - app.applied_on).days >= 2
        assert app.transitions.count() == 6
