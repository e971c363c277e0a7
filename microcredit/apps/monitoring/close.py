"""The daily close (日终, DOMAIN §8, ARCHITECTURE §7): read the portfolio with two queries,
compute every loan's state with `microcredit.batch.close` (Polars), write it back set-based:
`LoanDayState` (current state per loan), `Loan` cache columns, month-end `LoanMonthSnapshot`
and `Aggregate` per village/township/county/bank. Writes are upserts that touch only rows
whose values changed, so a second run for the same date changes nothing. Missed dates are
caught up in order.
"""

from __future__ import annotations

import calendar
import datetime as dt
import time
from decimal import Decimal
from typing import Callable

import polars as pl
from django.db import connection, transaction

from microcredit.apps.core.clock import business_date, now
from microcredit.apps.monitoring.models import CloseRun
from microcredit.batch import io
from microcredit.batch.basis import next_due_date
from microcredit.batch.close import INST_SCHEMA, aggregates, close_states, penalty_ratio
from microcredit.domain.monitoring import principal_due_soon, warning_light

Report = Callable[[int, int, str], None]
STEPS = 6
STATE_COLS = ["loan_id", "as_of", "region_code", "bank_id", "household_id", "days_past_due", "classification",
              "principal_outstanding", "overdue_principal", "overdue_interest", "penalty_owed", "advance",
              "next_due_date", "warning_light"]
STATE_DDL = ("loan_id bigint primary key, as_of date, region_code varchar(15), bank_id bigint, household_id bigint, "
             "days_past_due integer, classification varchar(16), principal_outstanding bigint, "
             "overdue_principal bigint, overdue_interest bigint, penalty_owed bigint, advance bigint, "
             "next_due_date date, warning_light varchar(6)")
VALUE_COLS = STATE_COLS[5:]
AGG_COLS = ["as_of", "level", "code", "bank_id", "loans", "households", "balance", "overdue_balance", "npl_balance",
            "overdue_loans", "npl_loans", "red", "yellow", "green", "penalty"]

LOANS_SQL = """SELECT id, COALESCE(basis_on, disbursed_on), basis_advance, CAST(annual_rate AS varchar(16)),
  COALESCE(risk_flag, ''), region_code, bank_id, household_id, schedule_version,
  days_past_due, classification, principal_outstanding, overdue_principal, overdue_interest, penalty_owed,
  advance, next_due_date, state_as_of
  FROM loans_loan WHERE status = 'active' AND disbursed_on <= %s"""
# No join in SQL (one sequential scan); the current schedule version is matched in Polars.
INST_SQL = """SELECT loan_id, seq, due_date, principal, interest, principal_paid, interest_paid,
  penalty_paid, penalty_fen_days, COALESCE(accrued_to, due_date), schedule_version
  FROM loans_installment WHERE paid_off_on IS NULL"""
LOAN_READ_SCHEMA = {"loan_id": pl.Int64, "basis_on": pl.Date, "advance": pl.Int64, "rate": pl.Utf8,
                    "risk_flag": pl.Utf8, "region_code": pl.Utf8, "bank_id": pl.Int64, "household_id": pl.Int64,
                    "schedule_version": pl.Int64, "c_days_past_due": pl.Int64, "c_classification": pl.Utf8,
                    "c_principal_outstanding": pl.Int64, "c_overdue_principal": pl.Int64,
                    "c_overdue_interest": pl.Int64, "c_penalty_owed": pl.Int64, "c_advance": pl.Int64,
                    "c_next_due_date": pl.Date, "c_state_as_of": pl.Date}
CACHE_COLS = ["days_past_due", "classification", "principal_outstanding", "overdue_principal", "overdue_interest",
              "penalty_owed", "advance", "next_due_date"]


def _noop(done: int, total: int, message: str = "") -> None:
    pass


def _distinct_sql(a: str, b: str, cols: list[str]) -> str:
    return " OR ".join(f"{a}.{c} IS DISTINCT FROM {b}.{c}" for c in cols) if io.is_postgres() else \
        " OR ".join(f"{a}.{c} IS NOT {b}.{c}" for c in cols)


def compute_states(day: dt.date) -> tuple[pl.DataFrame, int, pl.DataFrame]:
    """Every active loan's state as of ``day`` (STATE_COLS), the fallback count, and the loans
    whose cached columns on ``Loan`` differ (to update)."""
    loans = io.read_frame(LOANS_SQL, LOAN_READ_SCHEMA, (day,))
    insts = io.read_frame(INST_SQL, INST_SCHEMA | {"schedule_version": pl.Int64})
    insts = insts.join(loans.select("loan_id", "schedule_version"), on=["loan_id", "schedule_version"],
                       how="semi").drop("schedule_version")
    loans = loans.drop("schedule_version")
    rates = loans["rate"].unique().to_list()
    ratio = pl.DataFrame({"rate": rates, "pen_num": [penalty_ratio(Decimal(r))[0] for r in rates],
                          "pen_den": [penalty_ratio(Decimal(r))[1] for r in rates]},
                         schema={"rate": pl.Utf8, "pen_num": pl.Int64, "pen_den": pl.Int64})
    loans = loans.join(ratio, on="rate", how="left").drop("rate")
    cache = loans.select("loan_id", *[f"c_{c}" for c in CACHE_COLS], "c_state_as_of")
    loans = loans.drop([c for c in loans.columns if c.startswith("c_")])
    states, later = close_states(loans, insts, day)
    direct = _direct_mode_loans(loans)
    if direct:
        # 直接贴付 loans are also paid by the bank's booked subsidy shares, which the set-based
        # basis does not see (ADR 0004): the domain engine computes them, like catch-up loans.
        later = sorted(set(later) | set(direct))
        states = states.filter(~pl.col("loan_id").is_in(later))
    if later:
        states = pl.concat([states, _domain_states(later, day, loans)], how="vertical_relaxed")
    states = states.with_columns(as_of=pl.lit(day, dtype=pl.Date)).select(STATE_COLS)
    j = states.join(cache, on="loan_id")
    differs = pl.any_horizontal([pl.col(c).ne_missing(pl.col(f"c_{c}")) for c in CACHE_COLS])
    newer = pl.col("c_state_as_of").is_null() | (pl.col("c_state_as_of") <= day)
    changed = j.filter(differs & newer).select("loan_id", *CACHE_COLS, "as_of")
    return states, len(later), changed


def _direct_mode_loans(loans: pl.DataFrame) -> list[int]:
    """Ids of the loans whose county × bank fund account is in 直接贴付 mode."""
    from microcredit.apps.funds.models import FundAccount

    pairs = list(FundAccount.objects.filter(subsidy_mode="direct").values_list("bank_id", "county_code"))
    if not pairs:
        return []
    wanted = pl.DataFrame(pairs, schema={"bank_id": pl.Int64, "county": pl.Utf8}, orient="row")
    found = loans.select("loan_id", pl.col("bank_id").cast(pl.Int64), county=pl.col("region_code").str.slice(0, 6))
    return found.join(wanted, on=["bank_id", "county"], how="semi")["loan_id"].to_list()


def _domain_states(ids: list[int], day: dt.date, loans: pl.DataFrame) -> pl.DataFrame:
    """Loans with a payment dated after ``day`` (catch-up of an older date): the domain engine."""
    from microcredit.apps.loans.models import Loan
    from microcredit.apps.loans.servicing import loan_current_state

    extra = {r["loan_id"]: r for r in loans.filter(pl.col("loan_id").is_in(ids)).iter_rows(named=True)}
    rows = []
    for loan in Loan.objects.filter(pk__in=ids):
        s = loan_current_state(loan, day)
        e = extra[loan.pk]
        nxt = min((i.due_date for i in s.installments
                   if i.paid_off_on is None and i.due_date >= day and i.principal_unpaid > 0), default=None)
        light = warning_light(s.days_past_due, s.classification, nxt, e["risk_flag"], day)
        soon = principal_due_soon(nxt, day)
        rows.append({"loan_id": loan.pk, "days_past_due": s.days_past_due, "classification": s.classification,
                     "principal_outstanding": s.principal_outstanding, "overdue_principal": s.overdue_principal,
                     "overdue_interest": s.overdue_interest, "penalty_owed": s.penalty_owed, "advance": s.advance,
                     "next_due_date": next_due_date(s), "principal_due_soon": soon,
                     "warning_light": light,
                     "region_code": e["region_code"], "bank_id": e["bank_id"], "household_id": e["household_id"]})
    return pl.DataFrame(rows).select(pl.all())


def _write(day: dt.date, states: pl.DataFrame, report: Report, loan_changes: pl.DataFrame | None = None) -> int:
    """Upsert states, loan cache, snapshots, aggregates; returns the number of changed loans."""
    io.write_temp("tmp_close_state", states, STATE_DDL)
    cols = ", ".join(STATE_COLS)
    sets = ", ".join(f"{c} = excluded.{c}" for c in STATE_COLS[1:])
    with connection.cursor() as c:
        report(3, STEPS, "写入贷款日终状态")
        c.execute(f"""INSERT INTO monitoring_loandaystate ({cols}) SELECT {cols} FROM tmp_close_state WHERE 1 = 1
            ON CONFLICT (loan_id) DO UPDATE SET {sets}
            WHERE {_distinct_sql('monitoring_loandaystate', 'excluded', VALUE_COLS)}""")
        changed = c.rowcount
        c.execute("""DELETE FROM monitoring_loandaystate WHERE NOT EXISTS
            (SELECT 1 FROM tmp_close_state t WHERE t.loan_id = monitoring_loandaystate.loan_id)""")
        changed += c.rowcount
        report(4, STEPS, "更新贷款台账状态")
        if loan_changes is None:
            loan_changes = states.select("loan_id", *CACHE_COLS, "as_of")
        io.write_temp("tmp_close_loans", loan_changes, "loan_id bigint primary key, days_past_due integer, "
                      "classification varchar(16), principal_outstanding bigint, overdue_principal bigint, "
                      "overdue_interest bigint, penalty_owed bigint, advance bigint, next_due_date date, as_of date")
        loan_sets = ", ".join(f"{k} = t.{k}" for k in CACHE_COLS) + ", state_as_of = t.as_of"
        c.execute(f"""UPDATE loans_loan SET {loan_sets} FROM tmp_close_loans t WHERE loans_loan.id = t.loan_id""")
        c.execute("DROP TABLE IF EXISTS tmp_close_loans")
        if day.day == calendar.monthrange(day.year, day.month)[1]:
            report(5, STEPS, "写入月末快照")
            snap_cols = ", ".join(c_ for c_ in STATE_COLS if c_ != "loan_id")
            snap_sets = ", ".join(f"{c_} = excluded.{c_}" for c_ in STATE_COLS[2:])
            c.execute(f"""INSERT INTO monitoring_loanmonthsnapshot (loan_id_value, {snap_cols})
                SELECT loan_id, {snap_cols} FROM tmp_close_state WHERE 1 = 1
                ON CONFLICT (as_of, loan_id_value) DO UPDATE SET {snap_sets}
                WHERE {_distinct_sql('monitoring_loanmonthsnapshot', 'excluded', VALUE_COLS)}""")
            c.execute("""DELETE FROM monitoring_loanmonthsnapshot WHERE as_of = %s AND NOT EXISTS
                (SELECT 1 FROM tmp_close_state t WHERE t.loan_id = monitoring_loanmonthsnapshot.loan_id_value)""", [day])
        report(5, STEPS, "汇总村、乡、县、银行指标")
        agg = aggregates(states).with_columns(as_of=pl.lit(day, dtype=pl.Date)).select(AGG_COLS)
        io.write_temp("tmp_close_agg", agg, "as_of date, level varchar(10), code varchar(15), bank_id bigint, "
                      + ", ".join(f"{m} bigint" for m in AGG_COLS[4:]))
        acols = ", ".join(AGG_COLS)
        asets = ", ".join(f"{m} = excluded.{m}" for m in AGG_COLS[4:])
        c.execute(f"""INSERT INTO monitoring_aggregate ({acols}) SELECT {acols} FROM tmp_close_agg WHERE 1 = 1
            ON CONFLICT (as_of, level, code, bank_id) DO UPDATE SET {asets}
            WHERE {_distinct_sql('monitoring_aggregate', 'excluded', AGG_COLS[4:])}""")
        c.execute("""DELETE FROM monitoring_aggregate WHERE as_of = %s AND NOT EXISTS (SELECT 1 FROM tmp_close_agg t
            WHERE t.level = monitoring_aggregate.level AND t.code = monitoring_aggregate.code
            AND t.bank_id = monitoring_aggregate.bank_id)""", [day])
        c.execute("DROP TABLE IF EXISTS tmp_close_state")
        c.execute("DROP TABLE IF EXISTS tmp_close_agg")
    return changed


def run_close(day: dt.date, report: Report = _noop) -> CloseRun:
    """Close one business date (idempotent: a rerun changes nothing)."""
    started = time.perf_counter()
    run, _ = CloseRun.objects.get_or_create(business_date=day)
    CloseRun.objects.filter(pk=run.pk).update(status=CloseRun.Status.RUNNING, started_at=now())
    try:
        report(1, STEPS, f"读取贷款与还款计划（{day}）")
        states, fallback, loan_changes = compute_states(day)
        report(2, STEPS, f"计算完成：{states.height} 笔")
        with transaction.atomic():
            changed = _write(day, states, report, loan_changes)
            from microcredit.apps.monitoring.services import breakers_evaluate

            breakers_evaluate(day)  # circuit breakers from the aggregates just written (DOMAIN §8)
    except Exception as exc:
        CloseRun.objects.filter(pk=run.pk).update(status=CloseRun.Status.FAILED, message=str(exc)[:2000], finished_at=now())
        raise
    CloseRun.objects.filter(pk=run.pk).update(
        status=CloseRun.Status.DONE, loans=states.height, changed=changed, fallback=fallback,
        seconds=round(time.perf_counter() - started, 3), runs=run.runs + 1, finished_at=now(), message="")
    report(STEPS, STEPS, f"{day} 日终完成：{states.height} 笔，变化 {changed} 笔")
    run.refresh_from_db()
    return run


def dates_to_close(up_to: dt.date) -> list[dt.date]:
    """Missed dates up to ``up_to``: from the day after the last finished close (at most 400)."""
    last = CloseRun.objects.filter(status=CloseRun.Status.DONE, business_date__lt=up_to).order_by("-business_date").first()
    if last is None:
        return [up_to]
    days = [(last.business_date + dt.timedelta(days=k)) for k in range(1, (up_to - last.business_date).days + 1)]
    return days[-400:]


def close_through(up_to: dt.date, report: Report = _noop, catch_up: bool = True) -> list[CloseRun]:
    days = dates_to_close(up_to) if catch_up else [up_to]
    runs = []
    for k, day in enumerate(days):
        def step(done, total, message="", k=k):
            report(k * STEPS + done, len(days) * STEPS, message)
        runs.append(run_close(day, step))
    return runs


def schedule_close() -> None:
    """Worker hook: enqueue the close of the business date once (idempotent)."""
    from microcredit.apps.jobs.models import Job, JobStatus
    from microcredit.apps.jobs.runner import enqueue

    day = business_date()
    if CloseRun.objects.filter(business_date=day, status=CloseRun.Status.DONE).exists():
        return
    if Job.objects.filter(kind="daily_close", status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
                          params__date=day.isoformat()).exists():
        return
    enqueue(kind="daily_close", params={"date": day.isoformat(), "scheduled": True})
