"""The demo county generator (``python -m microcredit demo-data --seed N [--scale …]``).

Deterministic: every random draw comes from a ``random.Random`` seeded from ``--seed`` (never
the global ``random``); each step gets its own generator seeded with ``f"{seed}:{step name}"``,
so adding a step later does not change what the earlier steps produce. Ages are computed
against a fixed day (``context.DEMO_ANCHOR``), so the same seed gives the same registry on any
day. The business date is not pinned (``ctx.business_date`` is ``clock.business_date()``).

The generator is an ordered list of **steps** (``steps.STEPS``); each step is
``fn(ctx: DemoContext) -> None`` and finds on ``ctx`` what earlier steps created (regions,
banks, households, users, loans) and the business date. A later issue adds a module here and
one line in ``steps.STEPS`` at the place its step must run; the feature apps never import the
demo.

Streamed scales (``province``) keep ``ctx.households`` empty: read ``ctx.iter_household_ids()``
chunk by chunk instead and write each chunk in its own transaction. Non-streamed scales run
all steps in one transaction. The run records one summary audit row (``demo.generate``).
"""
