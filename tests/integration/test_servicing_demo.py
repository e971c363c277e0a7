"""The demo's servicing step: histories, restructuring, fund claims and subsidy batches in every
state, the close run; ledgers balance to the fen."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection

from microcredit.demo.runner import generate
from microcredit.demo.scales import scale_for

pytestmark = pytest.mark.django_db


def test_demo_servicing_step_runs_and_ledgers_balance():
    from microcredit.apps.funds.models import Claim, SubsidyBatch
    from microcredit.apps.loans.models import LoanEvent
    from microcredit.apps.monitoring.models import Aggregate, CloseRun

    out = io.StringIO()
    ctx = generate(seed=3, scale=scale_for("test", 600), business_date=dt.date(2026, 11, 20), progress=out)
    assert ctx.counts.get("late_or_partial_repayments", 0) > 10, ctx.counts
    assert LoanEvent.objects.filter(data__channel="api").exists()
    assert CloseRun.objects.filter(business_date=dt.date(2026, 11, 20), status="done").exists()
    assert Aggregate.objects.filter(level="township").exists()
    assert SubsidyBatch.objects.filter(status="paid").exists()
    assert {c.status for c in Claim.objects.all()} >= {"paid"}, ctx.counts
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM (SELECT entry_id FROM funds_posting GROUP BY entry_id HAVING SUM(amount) <> 0) x")
        assert cur.fetchone()[0] == 0
    for b in SubsidyBatch.objects.all():
        assert b.total == sum(b.lines.values_list("amount", flat=True))
