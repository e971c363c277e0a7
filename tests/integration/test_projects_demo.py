"""The demo steps "problems" and "projects" (issue #12 §6, §10): cases in every state with one overdue,
two legacy projects — the good one's payouts all on time, the poor one's late payout a problem case."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from microcredit.apps.core.todo import todo_for
from microcredit.apps.problems.models import Case
from microcredit.apps.projects.models import Payout, Project
from microcredit.demo.runner import generate
from microcredit.demo.scales import scale_for
from microcredit.domain.projects import is_payout_late

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)


def test_demo_problems_and_projects():
    ctx = generate(seed=3, scale=scale_for("test", 600), business_date=TODAY, progress=io.StringIO())  # runs both
    states = set(Case.objects.exclude(source="project").values_list("state", flat=True))
    assert states == {"opened", "assigned", "rectified", "closed", "rejected"}
    village = ctx.users["village"]
    mine = [i for i in todo_for(village, TODAY).items if i.kind == "problem_case"]
    assert any(i.overdue for i in mine)
    assert any(i.overdue for i in todo_for(ctx.users["county"], TODAY).below if i.kind == "problem_case")
    good, poor = Project.objects.get(grade="good"), Project.objects.get(grade="poor")
    assert good.white_listed and not poor.white_listed
    good_payouts = Payout.objects.filter(participant__project=good, due_on__lte=TODAY)
    assert good_payouts.exists() and not good_payouts.filter(paid_on__isnull=True).exists()
    late = [p for p in Payout.objects.filter(participant__project=poor)
            if is_payout_late(p.due_on, p.paid_on is not None, TODAY, poor.grace_days)]
    assert len(late) == 1 and late[0].case_id
    cases = Case.objects.filter(source="project")
    assert cases.count() == 1 and cases.get().pk == late[0].case_id
    assert {p.participant.loan.usage_mode for p in Payout.objects.all()} == {"legacy_pooled"}
