"""Demo step "decisions" (issue #12 §11) on the demo county (seed 1, test scale): extension requests at each
step of the workflow (each in its step's to-do list) and one approved; one confirmed and one pending downgrade."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import transaction

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.core.workflow import pending_for
from microcredit.apps.loans.models import ClassificationMove, ClassificationProposal, ExtensionRequest
from microcredit.demo.runner import generate
from microcredit.demo.scales import scale_for

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 3)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), pinned_business_date(DAY), transaction.atomic():
        log = io.StringIO()
        ctx = generate(seed=1, scale=scale_for("test", households=720), business_date=DAY, progress=log)  # runs the step
        users = ctx.users

        def waiting(name, code):
            return sorted(p.item.state for p in pending_for(users[name], DAY) if p.workflow.table.code == code)

        out = {
            "extra": ctx.extra["decisions"],
            "log": [line for line in log.getvalue().splitlines() if "decisions:" in line],
            "states": sorted(ExtensionRequest.objects.values_list("state", flat=True)),
            "village2": waiting("village2", "loan_extension"), "township": waiting("township", "loan_extension"),
            "bank": waiting("bank", "loan_extension"), "county": waiting("county", "classification_move"),
            "proposals": sorted(ClassificationProposal.objects.values_list("state", flat=True)),
            "moves": list(ClassificationMove.objects.filter(cause="manual").values_list("to_class", flat=True)),
        }
        transaction.set_rollback(True)
    return out


def test_requests_stand_at_each_step_and_show_in_each_steps_todo(demo):
    assert demo["extra"] == {"extensions": 4, "class_moves": 2}, demo["log"]
    assert demo["states"] == ["approved", "bank_decision", "township_opinion", "village_opinion"]
    assert demo["village2"] == ["village_opinion"]
    assert demo["township"] == ["township_opinion"]
    assert demo["bank"] == ["bank_decision"]


def test_one_downgrade_confirmed_and_one_waiting_on_the_county(demo):
    assert demo["proposals"] == ["confirmed", "proposed"]
    assert demo["county"] == ["proposed"]
    assert demo["moves"] == ["substandard"]
