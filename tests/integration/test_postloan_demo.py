"""Demo step "postloan" (issue #12 §1, §4) on the demo county (seed 1, test scale): flags of each kind asked
for, a mix of checks done, due and overdue (one failed), and the village clerk's to-do list shows the checks."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import transaction

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.core.todo import todo_for
from microcredit.apps.loans.models import Loan
from microcredit.apps.postloan import selectors
from microcredit.apps.postloan.models import PostLoanCheck, RiskFlag
from microcredit.demo.runner import generate
from microcredit.demo.scales import scale_for

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 3)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), pinned_business_date(DAY), transaction.atomic():
        ctx = generate(seed=1, scale=scale_for("test", households=720), business_date=DAY,
                       progress=io.StringIO())  # runs the step (demo.steps)
        clerk, township = ctx.users["village"], ctx.users["township"]
        flags = list(RiskFlag.objects.select_related("loan", "household").order_by("pk"))
        out = {
            "extra": ctx.extra["postloan"],
            "flags": [(f.kind, f.is_open, bool(f.loan_id)) for f in flags],
            "cached": {f.kind: (Loan.objects.get(pk=f.loan_id).risk_flag if f.loan_id else
                                [x.risk_flag for x in Loan.objects.filter(household=f.household, status="active")])
                       for f in flags if f.is_open},
            "checks": PostLoanCheck.objects.count(),
            "failed": list(PostLoanCheck.objects.filter(result="failed").values_list("loan_id", flat=True)),
            "todo": [i for i in todo_for(clerk, DAY).items if i.kind == "postloan_check"],
            "township_todo": [i for i in todo_for(township, DAY).items if i.kind == "postloan_check"],
            "due": selectors.checks_due(user=clerk, on=DAY),
            "county_overdue": len(selectors.checks_due(user=ctx.users["county"], on=DAY, status="overdue")),
            "active": Loan.objects.filter(status="active").count(),
        }
        transaction.set_rollback(True)
    return out


def test_flags_of_each_kind_asked_for(demo):
    kinds = {(k, is_open) for k, is_open, _loan in demo["flags"]}
    assert {("death", True), ("migration", True), ("migration", False), ("disaster", True),
            ("usage_failed", True)} <= kinds
    assert demo["cached"]["death"] == ["death"] and demo["cached"]["migration"] == "migration"
    assert demo["cached"]["usage_failed"] == "usage_failed" and demo["cached"]["disaster"] == ["disaster"]


def test_checks_done_due_overdue_and_one_failed(demo):
    assert demo["checks"] > demo["active"] // 2 and len(demo["failed"]) == 1
    statuses = [d.status for d in demo["due"]]
    assert "due" in statuses and "overdue" in statuses
    assert 0 < demo["county_overdue"] < demo["active"] // 4  # most loans are checked


def test_the_village_clerk_sees_the_checks_due_in_the_todo_list(demo):
    items = demo["todo"]
    assert len(items) == len(demo["due"]) and any(i.overdue for i in items) and any(not i.overdue for i in items)
    assert all(i.kind_label == "贷后检查" and "/postloan/checks/?loan=" in i.url for i in items)
    assert {i.url for i in items} <= {i.url for i in demo["township_todo"]}
