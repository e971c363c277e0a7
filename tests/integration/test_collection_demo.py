"""The demo's collection step (after "servicing"): cases for the overdue demo loans, a few recorded
visits, one promise to pay, one broken promise; the township's to-do list holds visits."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from microcredit.apps.collection.models import Action, Case
from microcredit.apps.core.todo import todo_for
from microcredit.apps.loans.models import Loan
from microcredit.demo.runner import generate
from microcredit.demo.scales import scale_for
from microcredit.domain import collection as rules

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)


def test_demo_collection_step():
    """generate() runs the step (demo.steps) after servicing."""
    ctx = generate(seed=3, scale=scale_for("test", 600), business_date=TODAY, progress=io.StringIO())
    overdue = set(Loan.objects.filter(status="active", days_past_due__gte=1).values_list("pk", flat=True))
    assert overdue
    assert set(Case.objects.filter(state__in=rules.OPEN_STATES).values_list("loan_id", flat=True)) == overdue
    assert Action.objects.count() >= 4
    assert Case.objects.filter(state="promise_to_pay").count() == 1
    assert Case.objects.filter(state="broken_promise").count() == 1
    assert Case.objects.filter(state="in_progress").count() >= 2
    township = ctx.users["township"]  # at test scale the demo village has no overdue loan; its township has
    items = [i for i in todo_for(township, TODAY).items if i.kind == "collection"]
    assert items and items[0].overdue, "the township station has visits to make, the broken promise first"

