"""Benchmark of the loan arithmetic (microcredit.domain): schedules and statements per second.

    python bench/bench_calc.py [--loans 100000] [--seed 1]

Random loans (seeded): principal 1万–10万 元, rate 3.00–4.90 %, disbursed 2016–2025, term
6–36 months, any method. Payments: each instalment paid on its due date (80 %), late by 1–120
days (12 %), half paid (4 %) or not at all (4 %); as-of day uniform over the loan's life + 1
year. A statement is ``loan_state`` + ``subsidy_by_period`` as of that day.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from microcredit.domain.schedules import METHODS, LoanTerms, build_schedule  # noqa: E402
from microcredit.domain.servicing import Payment, loan_state  # noqa: E402
from microcredit.domain.subsidy import SubsidyTerms, subsidy_by_period  # noqa: E402


def random_loans(n: int, seed: int) -> list[LoanTerms]:
    """``n`` random loan contracts."""
    rng = random.Random(seed)
    start = date(2016, 1, 1).toordinal()
    return [
        LoanTerms(rng.randint(100, 1000) * 10000, Decimal(rng.randint(300, 490)) / 100,
                  date.fromordinal(start + rng.randrange(3650)), rng.choice((6, 12, 24, 36)),
                  rng.choice(METHODS))
        for _ in range(n)
    ]


def random_payments(rng: random.Random, schedule) -> list[Payment]:
    """Mostly on-time payments, some late, partial or missing."""
    out: list[Payment] = []
    for inst in schedule.installments:
        amount = inst.principal + inst.interest
        roll = rng.random()
        if roll < 0.80:
            out.append(Payment(inst.due_date, amount))
        elif roll < 0.92:
            out.append(Payment(inst.due_date + timedelta(days=rng.randint(1, 120)), amount + 500))
        elif roll < 0.96 and amount > 1:
            out.append(Payment(inst.due_date, amount // 2))
    return out


def main(argv: list[str]) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    loans = random_loans(args.loans, args.seed)

    t0 = time.perf_counter()
    schedules = [build_schedule(t) for t in loans]
    t_sched = time.perf_counter() - t0

    rng = random.Random(args.seed + 1)
    cases = []
    for terms, schedule in zip(loans, schedules):
        life = (schedule.maturity_date - terms.disbursed_on).days + 365
        cases.append((terms, schedule, random_payments(rng, schedule),
                      terms.disbursed_on + timedelta(days=rng.randrange(life))))
    subsidy = SubsidyTerms(Decimal("4.35"), Decimal("1"))
    instalments = sum(len(s.installments) for s in schedules)
    payments = sum(len(c[2]) for c in cases)

    t0 = time.perf_counter()
    for terms, schedule, pays, as_of in cases:
        state = loan_state(schedule, terms, pays, as_of)
        subsidy_by_period(schedule, terms, state, subsidy)
    t_stmt = time.perf_counter() - t0

    n = len(loans)
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
          f"single process; {n} loans (seed {args.seed}), {instalments} instalments, "
          f"{payments} payments")
    print(f"schedules : {n / t_sched:10.0f} /s  ({t_sched:.2f} s)")
    print(f"statements: {n / t_stmt:10.0f} /s  ({t_stmt:.2f} s)  [loan_state + subsidy_by_period]")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
