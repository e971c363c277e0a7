"""Run the demo steps and record one summary audit row."""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from typing import TextIO

from django.db import connection, transaction

from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.clock import business_date as today
from microcredit.apps.households.models import Household
from microcredit.demo.context import DemoContext
from microcredit.demo.scales import Scale
from microcredit.demo.steps import BUILTIN_STEPS, STEPS  # noqa: F401  (BUILTIN_STEPS: for tests)


def registry_is_empty() -> bool:
    return not Household.objects.exists()


def _analyze() -> None:
    """Fresh planner statistics after a bulk step (PostgreSQL): the demo runs in one transaction,
    which autovacuum cannot see into, and without them the next step's queries plan as if the
    tables were empty (seconds per query instead of milliseconds). ANALYZE counts the rows this
    transaction inserted."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def generate(*, seed: int, scale: Scale, business_date: dt.date | None = None,
             progress: TextIO | None = None, only: tuple[str, ...] | None = None) -> DemoContext:
    """Generate the demo data into an empty database; returns the context (counts, refs).

    ``only`` runs just the named steps (tests use ``BUILTIN_STEPS``), in the usual order.
    """
    ctx = DemoContext(seed=seed, rng=random.Random(seed), scale=scale,
                      business_date=business_date or today(), progress=progress or sys.stderr)
    started = time.perf_counter()
    steps = [s for s in STEPS if only is None or s.name in only]

    def run_all() -> None:
        for step in steps:
            t0 = time.perf_counter()
            ctx.rng = random.Random(f"{seed}:{step.name}")
            if scale.streamed:
                if step.name == "households":
                    step.fn(ctx)  # commits chunk by chunk
                else:
                    with transaction.atomic():
                        step.fn(ctx)
            else:
                step.fn(ctx)
            _analyze()
            ctx.log(f"步骤 {step.name} 完成（{time.perf_counter() - t0:.1f} 秒）")
        record_audit(
            actor=None, action="demo.generate", object_type="demo", object_id=str(seed),
            object_repr=f"演示数据（种子 {seed}，规模 {scale.name}）",
            after={"seed": seed, "scale": scale.name, "business_date": ctx.business_date,
                   "steps": [s.name for s in steps], "counts": ctx.counts,
                   "seconds": round(time.perf_counter() - started, 1)},
            region_code=ctx.county.code[:6] if ctx.counties else "",
            note="生成演示数据（一条汇总记录，不逐户记录）",
        )

    if scale.streamed:
        run_all()
    else:
        with transaction.atomic():
            run_all()
    ctx.extra["seconds"] = round(time.perf_counter() - started, 1)
    return ctx
