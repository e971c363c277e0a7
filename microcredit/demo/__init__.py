"""The demo county generator (``python -m microcredit demo-data --seed N [--scale …]``).

Deterministic: every random draw comes from a ``random.Random`` seeded from ``--seed`` (never
the global ``random``); each step gets its own generator seeded with ``f"{seed}:{step name}"``,
so adding a step later does not change what the earlier steps produce. Ages are computed
against a fixed day (``context.DEMO_ANCHOR``), so the same seed gives the same registry on any
day. The business date is not pinned (``ctx.business_date`` is ``clock.business_date()``).

The generator is an ordered list of **steps** (``steps.STEPS``, run in ``steps.ordered_steps()`` order); each step is
``fn(ctx: DemoContext) -> None`` and finds on ``ctx`` what earlier steps created (regions,
banks, households, users) and the business date. Built-in steps, in order:
``regions``, ``banks``, ``households``, ``users``.

Extending it from a later issue — put a ``demo.py`` in your app, or a module in this package
(every ``microcredit.apps.<app>.demo`` module and every ``microcredit.demo.*`` module is
imported before the run), and register a step::

    # microcredit/apps/rating/demo.py
    from microcredit.demo.steps import register_step

    @register_step("ratings", after="households")
    def create_ratings(ctx):
        for ref in ctx.households:                # HouseholdRef(id, village_code, status, …)
            if ref.is_wubao or ctx.rng.random() < 0.2:
                continue
            ...                                   # bulk_create in chunks of ~2000
        ctx.count("ratings", n)

Streamed scales (``province``) keep ``ctx.households`` empty: read ``ctx.iter_household_ids()``
chunk by chunk instead and write each chunk in its own transaction. Non-streamed scales run
all steps in one transaction. The run records one summary audit row (``demo.generate``).
"""
