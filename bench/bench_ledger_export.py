"""Benchmark of the 台账 export (issue #13 §4): rows per second of the whole ledger of the demo as of a past
day and as of the business date, as CSV and as .xlsx — reading, computing each loan as of the day
(``loans.selectors.ledger_loans``) and writing the file — and a check of a sample against loan_state.

    python -m microcredit demo-data --seed 1 --scale county     # into the database of DATABASE_URL
    python bench/bench_ledger_export.py [--as-of 2026-06-30] [--sample 300]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcredit.web.settings")

import django  # noqa: E402

django.setup()

from microcredit.apps.accounts.scope import SYSTEM  # noqa: E402
from microcredit.apps.core.clock import business_date  # noqa: E402
from microcredit.apps.loans.models import Loan, LoanEvent  # noqa: E402
from microcredit.apps.loans.selectors import ledger_loans, loan_current_state  # noqa: E402
from microcredit.apps.reports.ledger_export import ledger_rows, resolve, write_csv, write_xlsx  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", default="")
    parser.add_argument("--sample", type=int, default=300)
    args = parser.parse_args()
    today = business_date()
    past = dt.date.fromisoformat(args.as_of) if args.as_of else today.replace(day=1) - dt.timedelta(days=200)
    print(f"loans in the database: {Loan.objects.count():,}; business date {today}; past day {past}")
    for day in (past, today):
        for fmt, writer in (("csv", write_csv), ("xlsx", write_xlsx)):
            params = resolve(SYSTEM, {"as_of": day.isoformat(), "format": fmt})
            began = time.perf_counter()
            out, rows = writer(ledger_rows(SYSTEM, params, True), lambda *a: None, 0)
            seconds = time.perf_counter() - began
            size = out.seek(0, 2)
            out.close()
            print(f"{day} {fmt:>4}: {rows:,} rows in {seconds:.2f} s = {rows / seconds:,.0f} rows/s ({size / 1e6:.1f} MB)")
    began = time.perf_counter()
    n = sum(1 for _ in ledger_loans(user=SYSTEM, as_of=past))
    print(f"{past} figures only (no file): {n / (time.perf_counter() - began):,.0f} loans/s")
    extended_later = set(LoanEvent.objects.filter(kind="extension", on__gt=past).values_list("loan_id", flat=True))
    checked = 0
    for x in ledger_loans(user=SYSTEM, as_of=past):
        if checked >= args.sample:
            break
        if x.pk in extended_later:
            continue
        state = loan_current_state(Loan.objects.get(pk=x.pk), past)
        assert (x.balance, x.principal_repaid, x.overdue_principal, x.overdue_interest) == (
            state.principal_outstanding, state.principal_paid, state.overdue_principal, state.overdue_interest), x.number
        checked += 1
    print(f"{checked} loans checked against loan_state as of {past}: equal to the fen")


if __name__ == "__main__":
    main()
