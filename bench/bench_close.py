"""Benchmark the daily close (日终) at province scale on PostgreSQL.

    .venv/bin/python bench/bench_close.py [--loans 1000000] [--orm-loans 10000] \
        [--database postgres:///microcredit_bench_close] [--reuse] [--json]

1. (Re)creates the database and migrates it.
2. Loads a synthetic portfolio with COPY: ``--loans`` loans (mixed methods and terms, 2023–2026,
   ~92 % on time, ~5 % stopped paying, ~3 % with an advance) and their instalments with their
   basis (paid parts), as the services would leave them. FK checks are off for the load only
   (``session_replication_role = replica``): the close reads loans and instalments alone.
   Schedules come from ``domain.schedules.build_schedule`` on a few thousand templates.
3. Times ``run_close(D)`` (read, Polars, write-back incl. Loan cache, day states, month-end
   snapshots and aggregates), then once more (idempotent rerun: nothing changes).
4. Times a straightforward per-loan ORM loop (read instalments, ``domain.servicing.loan_state``,
   ``loan.save()``) on ``--orm-loans`` loans and reports the per-loan speed ratio.
5. With ``--json``: times the floor — a bare binary ``COPY (…) TO STDOUT`` of exactly what the
   close reads (``monitoring.close.LOANS_SQL`` for the next day and ``INST_SQL``), bytes discarded,
   best of 3 — and prints one JSON line on stdout (everything else goes to stderr):
   ``{"loans", "close_seconds", "first_close_seconds", "orm_ms_per_loan", "floor_read_seconds"}``.
   ``close_seconds`` is the close of the next day (after the first close and its rerun);
   ``first_close_seconds`` the first close after the bulk load (``null`` with ``--reuse``: no load).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

DAY = dt.date(2026, 11, 30)


def setup(url: str, fresh: bool) -> None:
    name = url.rsplit("/", 1)[-1]
    if fresh:
        subprocess.run(["dropdb", "--if-exists", name], check=True)
        subprocess.run(["createdb", name], check=True)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcredit.web.settings")
    import django

    django.setup()
    if fresh:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def load(n: int, seed: int = 7, assign=None) -> float:
    """``assign``: an optional function of the loans frame (Polars) returning it with other
    ``household_id`` / ``borrower_id`` / ``region_code`` (bench_monitoring.py: real households)."""
    import polars as pl
    from django.db import connection

    from microcredit.domain.rates import SHIPPED_RATES, cap_rate
    from microcredit.domain.schedules import LoanTerms, build_schedule

    t0 = time.perf_counter()
    rng = random.Random(seed)
    templates = []
    for _ in range(3000):
        day = dt.date(2023, 12, 1) + dt.timedelta(days=rng.randrange(1000))
        term = rng.choice((12, 24, 36, 36))
        r = rng.random()
        method = ("interest_quarterly" if r < .7 else "equal_installment" if r < .85 else
                  "interest_monthly" if r < .95 else "bullet")
        principal = rng.randint(2, 10) * 500_000
        rate = cap_rate(day, term, SHIPPED_RATES)
        sched = build_schedule(LoanTerms(principal, rate, day, term, method))
        templates.append((day, term, method, principal, rate, sched))
    t_rows = []
    for k, (day, term, method, principal, rate, sched) in enumerate(templates):
        for i in sched.installments:
            t_rows.append((k, i.seq, i.period_start, i.due_date, i.principal, i.interest))
    tmpl_inst = pl.DataFrame(t_rows, schema={"t": pl.Int64, "seq": pl.Int64, "period_start": pl.Date,
                                             "due_date": pl.Date, "principal": pl.Int64, "interest": pl.Int64},
                             orient="row")
    tmpl = pl.DataFrame({"t": list(range(len(templates))), "disbursed_on": [t[0] for t in templates],
                         "term_months": [t[1] for t in templates], "method": [t[2] for t in templates],
                         "principal": [t[3] for t in templates], "annual_rate": [str(t[4]) for t in templates],
                         "maturity_date": [t[5].maturity_date for t in templates]})
    ids = pl.Series("id", range(1, n + 1), dtype=pl.Int64)
    gen = pl.DataFrame({"id": ids}).with_columns(
        t=(pl.col("id") * 2654435761 % len(templates)).cast(pl.Int64),
        beh=(pl.col("id") * 40503 % 100).cast(pl.Int64),
        bank_id=(pl.col("id") % 20 + 1).cast(pl.Int64),
        county=(pl.col("id") % 50).cast(pl.Int64),
        village=(pl.col("id") * 7 % 1800).cast(pl.Int64),
    ).join(tmpl, on="t")
    gen = gen.with_columns(
        region_code=(pl.lit("41") + (pl.col("county") + 1000).cast(pl.Utf8).str.slice(0, 4)
                     + (pl.col("village") // 150 + 100).cast(pl.Utf8) + (pl.col("village") % 150 + 1).cast(pl.Utf8).str.zfill(3)),
    )
    inst = gen.select("id", "t", "beh").join(tmpl_inst, on="t").sort("id", "seq")
    due = pl.col("due_date") <= pl.lit(DAY)
    # stopped payers (beh < 5) leave their last two due instalments unpaid
    inst = inst.with_columns(n_due=due.sum().over("id"))
    rank_desc = (pl.col("n_due") - pl.int_range(pl.len()).over("id"))
    paid = due & ~((pl.col("beh") < 5) & (rank_desc <= 2))
    inst = inst.with_columns(paid=paid).with_columns(
        principal_paid=pl.when("paid").then("principal").otherwise(0),
        interest_paid=pl.when("paid").then("interest").otherwise(0),
        paid_off_on=pl.when("paid").then("due_date").otherwise(None),
    )
    last_paid = inst.filter("paid").group_by("id").agg(basis_on=pl.col("due_date").max())
    adv = pl.when(pl.col("beh") >= 97).then(20000).otherwise(0)
    loans = gen.join(last_paid, on="id", how="left").with_columns(
        basis_on=pl.coalesce("basis_on", "disbursed_on"), basis_advance=adv)
    loans = loans.with_columns(
        number=pl.lit("B") + pl.col("id").cast(pl.Utf8).str.zfill(10), household_id=pl.col("id"), borrower_id=pl.col("id"),
        policy_era=pl.lit("tuopin2021"), cap_rate=pl.col("annual_rate"), subsidy_ratio=pl.lit("1"),
        usage_mode=pl.lit("self"), industry=pl.lit(""), purpose=pl.lit(""), account_number=pl.lit(""),
        status=pl.lit("active"), schedule_version=pl.lit(1), risk_flag=pl.when(pl.col("beh") == 4).then(pl.lit("death")).otherwise(pl.lit("")),
        created_at=pl.lit("2026-01-01 00:00:00+00"), principal_outstanding=pl.col("principal"),
        overdue_principal=pl.lit(0), overdue_interest=pl.lit(0), penalty_owed=pl.lit(0), advance=pl.lit(0),
        days_past_due=pl.lit(0), classification=pl.lit("normal"), state_as_of=pl.col("basis_on"))
    if assign is not None:
        loans = assign(loans)
    loan_cols = ["id", "number", "household_id", "borrower_id", "bank_id", "region_code", "policy_era", "principal",
                 "annual_rate", "cap_rate", "subsidy_ratio", "disbursed_on", "term_months", "maturity_date", "method",
                 "usage_mode", "industry", "purpose", "account_number", "status", "schedule_version", "risk_flag",
                 "created_at", "state_as_of", "principal_outstanding", "overdue_principal", "overdue_interest",
                 "penalty_owed", "advance", "days_past_due", "classification", "basis_on", "basis_advance"]
    inst = inst.with_columns(id=pl.int_range(1, pl.len() + 1), loan_id=pl.col("id"), schedule_version=pl.lit(1),
                             penalty_paid=pl.lit(0), penalty_fen_days=pl.lit(0), accrued_to=pl.col("due_date"))
    inst_cols = ["id", "loan_id", "schedule_version", "seq", "period_start", "due_date", "principal", "interest",
                 "principal_paid", "interest_paid", "penalty_paid", "penalty_fen_days", "accrued_to", "paid_off_on"]
    inst = inst.with_columns(id=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
    # Columns added to the models since (version, subsidy_mode, …): their model default, as the ORM would.
    from microcredit.apps.loans.models import Installment, Loan

    for model, cols in ((Loan, loan_cols), (Installment, inst_cols)):
        extra = {f.column: f.get_default() for f in model._meta.concrete_fields
                 if f.column not in cols and not f.null and f.has_default()}
        if model is Loan:
            loans = loans.with_columns(*(pl.lit(v).alias(k) for k, v in extra.items()))
        else:
            inst = inst.with_columns(*(pl.lit(v).alias(k) for k, v in extra.items()))
        cols.extend(extra)
    with connection.cursor() as c:
        c.execute("SET session_replication_role = replica")
        c.execute("INSERT INTO reference_bank (id, code, name, short_name) SELECT g, 'B' || g, '银行' || g, '银行' || g "
                  "FROM generate_series(1, 20) g ON CONFLICT DO NOTHING")
        for table, df, cols in (("loans_loan", loans, loan_cols), ("loans_installment", inst, inst_cols)):
            for chunk in df.select(cols).iter_slices(500_000):
                buf = io.BytesIO()
                chunk.write_csv(buf, include_header=False, null_value="")
                with c.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN (FORMAT CSV)") as cp:
                    cp.write(buf.getvalue())
        c.execute("SET session_replication_role = origin")
        c.execute("SELECT setval('loans_loan_id_seq', (SELECT MAX(id) FROM loans_loan))")
        c.execute("SELECT setval('loans_installment_id_seq', (SELECT MAX(id) FROM loans_installment))")
        c.execute("ANALYZE loans_loan")
        c.execute("ANALYZE loans_installment")
    print(f"loaded {loans.height:,} loans, {inst.height:,} instalments in {time.perf_counter() - t0:.1f} s", flush=True)
    return time.perf_counter() - t0


def orm_loop(n: int) -> float:
    from microcredit.apps.loans.models import Loan
    from microcredit.apps.loans.selectors import loan_terms
    from microcredit.domain.schedules import Installment as DI
    from microcredit.domain.schedules import Schedule
    from microcredit.domain.servicing import Payment, loan_state

    t0 = time.perf_counter()
    for loan in Loan.objects.filter(status="active").order_by("id")[:n]:
        rows = list(loan.installments.filter(schedule_version=loan.schedule_version).order_by("seq"))
        sched = Schedule(loan.maturity_date, tuple(DI(r.seq, r.period_start, r.due_date, r.principal, r.interest) for r in rows))
        pays = [Payment(r.paid_off_on, r.principal_paid + r.interest_paid) for r in rows
                if r.paid_off_on and r.principal_paid + r.interest_paid > 0]
        s = loan_state(sched, loan_terms(loan), pays, DAY)
        loan.days_past_due, loan.classification, loan.penalty_owed = s.days_past_due, s.classification, s.penalty_owed
        loan.overdue_principal, loan.overdue_interest, loan.state_as_of = s.overdue_principal, s.overdue_interest, DAY
        loan.save()
    return time.perf_counter() - t0


def floor_read(day: dt.date, runs: int = 3) -> float:
    """Seconds to merely read the close's inputs: ``COPY (…) TO STDOUT (FORMAT BINARY)`` of the
    close's own loan and instalment queries, bytes discarded; best of ``runs``."""
    from django.db import connection

    from microcredit.apps.monitoring.close import INST_SQL, LOANS_SQL, _on_books_params

    best = float("inf")
    with connection.cursor() as c:
        raw = c.cursor
        queries = (raw.mogrify(LOANS_SQL, _on_books_params(day)), INST_SQL)
        for _ in range(runs):
            t0 = time.perf_counter()
            for q in queries:
                with raw.copy(f"COPY ({q}) TO STDOUT (FORMAT BINARY)") as cp:
                    for _block in cp:
                        pass
            best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--loans", type=int, default=1_000_000)
    p.add_argument("--orm-loans", type=int, default=10_000)
    p.add_argument("--database", default="postgres:///microcredit_bench_close")
    p.add_argument("--reuse", action="store_true", help="keep the loaded database, skip the load")
    p.add_argument("--json", action="store_true", help="print one JSON line on stdout, progress on stderr")
    a = p.parse_args()
    if a.json:
        out = sys.stdout
        with contextlib.redirect_stdout(sys.stderr):
            result = run(a)
        print(json.dumps(result), file=out, flush=True)
    else:
        run(a)


def run(a: argparse.Namespace) -> dict:
    setup(a.database, fresh=not a.reuse)
    if not a.reuse:
        load(a.loans)
    from microcredit.apps.core.clock import pinned_business_date
    from microcredit.apps.monitoring.close import run_close

    pin = pinned_business_date(DAY + dt.timedelta(days=1))  # the close refuses dates after the business date
    pin.__enter__()

    def progress(done, total, message=""):
        print(f"  [{time.perf_counter() - t0:6.1f}s] {done}/{total} {message}", flush=True)

    t0 = time.perf_counter()
    run = run_close(DAY, progress)
    first = time.perf_counter() - t0
    print(f"close {DAY}: {run.loans:,} loans, {run.changed:,} changed, {first:.1f} s", flush=True)
    t0 = time.perf_counter()
    run = run_close(DAY, progress)
    second = time.perf_counter() - t0
    print(f"rerun: {run.changed:,} changed, {second:.1f} s", flush=True)
    t0 = time.perf_counter()
    nxt = run_close(DAY + dt.timedelta(days=1), progress)
    third = time.perf_counter() - t0
    print(f"next day {DAY + dt.timedelta(days=1)}: {nxt.loans:,} loans, {nxt.changed:,} changed, {third:.1f} s", flush=True)
    orm = orm_loop(a.orm_loans)
    per_close = first / max(run.loans, 1)
    per_orm = orm / a.orm_loans
    print(f"ORM loop: {a.orm_loans:,} loans in {orm:.1f} s ({per_orm * 1e3:.2f} ms/loan); "
          f"close {per_close * 1e6:.1f} µs/loan; ratio {per_orm / per_close:.0f}×; "
          f"ORM loop extrapolated to {run.loans:,} loans: {per_orm * run.loans / 60:.0f} min", flush=True)
    result = {"loans": nxt.loans, "close_seconds": round(third, 3),
              "first_close_seconds": None if a.reuse else round(first, 3),
              "orm_ms_per_loan": round(per_orm * 1e3, 3), "floor_read_seconds": None}
    if a.json:
        result["floor_read_seconds"] = round(floor_read(DAY + dt.timedelta(days=1)), 3)
        print(f"floor (binary COPY of the close's inputs, best of 3): {result['floor_read_seconds']:.2f} s", flush=True)
    return result


if __name__ == "__main__":
    main()
