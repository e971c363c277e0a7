"""The daily close (日终, DOMAIN §8, ARCHITECTURE §7): read the portfolio with two queries,
compute every loan's state with `microcredit.batch.close` (Polars), write it back set-based:
`LoanDayState` (current state per loan), `Loan` cache columns, month-end `LoanMonthSnapshot`
and `Aggregate` per village/township/county/bank. Writes are upserts that touch only rows
whose values changed, so a second run for the same date changes nothing. Missed dates are
caught up in order; which dates may be closed is one rule, ``domain.close.close_dates``,
applied (and audited) by ``monitoring.services.close_request`` for every entry point.

Concurrency with servicing (ADR 0002): the portfolio is read without locks, then the write
transaction locks the loans table against writers, recomputes with the domain engine every
loan whose ``version`` moved since the read (an event posted mid-close), and writes the cache
only where the version is still the one read. The close does not bump ``version``: it only
rolls a loan forward in time from its basis, it does not change what happened to the loan.
"""

from __future__ import annotations

import calendar
import datetime as dt
import time
from decimal import Decimal
from typing import Callable

from typing import Iterable, NamedTuple

import polars as pl
from django.db import connection, transaction
from django.db.models import F

from microcredit.apps.core.clock import business_date, now
from microcredit.apps.core.panels import after_close
from microcredit.apps.accounts.scope import SYSTEM
from microcredit.apps.jobs.runner import enqueue
from microcredit.apps.jobs.selectors import JobStatus, jobs_for
from microcredit.apps.loans.selectors import classification_floors, loan_current_state, loan_event_last_id, loan_list
from microcredit.apps.monitoring import services
from microcredit.apps.monitoring.models import CloseRun
from microcredit.apps.monitoring import frame_io as io
from microcredit.batch.basis import next_due_date
from microcredit.batch.close import INST_SCHEMA, aggregates, close_states, penalty_ratio
from microcredit.domain.classification import CLASSES, NPL_CLASSES
from microcredit.domain.close import CloseDateError, close_dates
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

# The loans on the books at the end of day D (one rule for the read and the re-read under the lock):
# disbursed on or before D and not off the books by D — in force now, or settled/renewed after D
# (``closed_on``, the day the loan was paid off), or written off after D (the day of its effective
# write-off event: a write-off leaves ``closed_on`` empty). A close of a past date must count the loans
# that left since (it used to read only today's active loans: a loan settled on D+5 was missing from D).
# The write-off days are a small derived table joined once (as a correlated sub-query in the OR,
# PostgreSQL's planner charged its cost on every row and left the sequential scan).
ON_BOOKS = """loans_loan LEFT JOIN (SELECT e.loan_id, MAX(e."on") AS written_off_on FROM loans_loanevent e
    WHERE e.kind = 'write_off' AND NOT EXISTS (SELECT 1 FROM loans_loanevent r WHERE r.reverses_id = e.id)
    GROUP BY e.loan_id) w ON w.loan_id = loans_loan.id
  WHERE disbursed_on <= %s AND (status = 'active'
    OR (status IN ('settled', 'renewed') AND closed_on > %s)
    OR (status = 'written_off' AND w.written_off_on > %s))"""
LOANS_SQL = """SELECT id, COALESCE(basis_on, disbursed_on), basis_advance, CAST(annual_rate AS varchar(16)),
  COALESCE(risk_flag, ''), region_code, bank_id, household_id, schedule_version,
  days_past_due, classification, principal_outstanding, overdue_principal, overdue_interest, penalty_owed,
  advance, next_due_date, state_as_of, version,
  CASE WHEN subsidy_mode = 'direct' OR subsidy_mode_changes IS NOT NULL THEN 1 ELSE 0 END
  FROM """ + ON_BOOKS
# Re-read under the close's lock: which loans moved (an event since the read), came or went.
VERSIONS_SQL = "SELECT id, version FROM " + ON_BOOKS
VERSION_SCHEMA = {"loan_id": pl.Int64, "version": pl.Int64}


def _on_books_params(day: dt.date) -> tuple[dt.date, ...]:
    """The parameters of ``ON_BOOKS`` for ``day`` (each of its placeholders is the day)."""
    return (day,) * ON_BOOKS.count("%s")


# No join in SQL (one sequential scan); the current schedule version is matched in Polars.
INST_SQL = """SELECT loan_id, seq, due_date, principal, interest, principal_paid, interest_paid,
  penalty_paid, penalty_fen_days, COALESCE(accrued_to, due_date), schedule_version
  FROM loans_installment WHERE paid_off_on IS NULL"""
LOAN_READ_SCHEMA = {"loan_id": pl.Int64, "basis_on": pl.Date, "advance": pl.Int64, "rate": pl.Utf8,
                    "risk_flag": pl.Utf8, "region_code": pl.Utf8, "bank_id": pl.Int64, "household_id": pl.Int64,
                    "schedule_version": pl.Int64, "c_days_past_due": pl.Int64, "c_classification": pl.Utf8,
                    "c_principal_outstanding": pl.Int64, "c_overdue_principal": pl.Int64,
                    "c_overdue_interest": pl.Int64, "c_penalty_owed": pl.Int64, "c_advance": pl.Int64,
                    "c_next_due_date": pl.Date, "c_state_as_of": pl.Date, "version": pl.Int64,
                    "direct": pl.Int64}
CACHE_COLS = ["days_past_due", "classification", "principal_outstanding", "overdue_principal", "overdue_interest",
              "penalty_owed", "advance", "next_due_date"]
DOMAIN_SCHEMA = {"loan_id": pl.Int64, "days_past_due": pl.Int64, "classification": pl.Utf8,
                 "principal_outstanding": pl.Int64, "overdue_principal": pl.Int64, "overdue_interest": pl.Int64,
                 "penalty_owed": pl.Int64, "advance": pl.Int64, "next_due_date": pl.Date,
                 "principal_due_soon": pl.Boolean, "warning_light": pl.Utf8, "region_code": pl.Utf8,
                 "bank_id": pl.Int64, "household_id": pl.Int64}


class Computed(NamedTuple):
    """The read phase's result: states as of the date, and what the write phase needs."""

    states: pl.DataFrame  # STATE_COLS, every active loan read
    fallback: int  # loans computed by the domain engine
    changed: pl.DataFrame  # loan_id, CACHE_COLS, as_of, version: cache rows to update
    versions: pl.DataFrame  # loan_id, version as read


def _noop(done: int, total: int, message: str = "") -> None:
    pass


def _distinct_sql(a: str, b: str, cols: list[str]) -> str:
    return " OR ".join(f"{a}.{c} IS DISTINCT FROM {b}.{c}" for c in cols) if io.is_postgres() else \
        " OR ".join(f"{a}.{c} IS NOT {b}.{c}" for c in cols)


def compute_states(day: dt.date) -> Computed:
    """The read phase: the state as of ``day`` of every loan on the books that day (``ON_BOOKS``; no locks held)."""
    loans = io.read_frame(LOANS_SQL, LOAN_READ_SCHEMA, _on_books_params(day))
    insts = io.read_frame(INST_SQL, INST_SCHEMA | {"schedule_version": pl.Int64})
    insts = insts.join(loans.select("loan_id", "schedule_version"), on=["loan_id", "schedule_version"],
                       how="semi").drop("schedule_version")
    versions = loans.select("loan_id", "version")
    loans = loans.drop("schedule_version", "version")
    rates = loans["rate"].unique().to_list()
    ratio = pl.DataFrame({"rate": rates, "pen_num": [penalty_ratio(Decimal(r))[0] for r in rates],
                          "pen_den": [penalty_ratio(Decimal(r))[1] for r in rates]},
                         schema={"rate": pl.Utf8, "pen_num": pl.Int64, "pen_den": pl.Int64})
    loans = loans.join(ratio, on="rate", how="left").drop("rate")
    cache = loans.select("loan_id", *[f"c_{c}" for c in CACHE_COLS], "c_state_as_of")
    loans = loans.drop([c for c in loans.columns if c.startswith("c_")])
    direct = _direct_mode_loans(loans)
    loans = loans.drop("direct")
    states, later = close_states(loans, insts, day)
    if direct:
        # 直接贴付 loans are also paid by the bank's booked subsidy shares, which the set-based
        # basis does not see (ADR 0004): the domain engine computes them, like catch-up loans.
        later = sorted(set(later) | set(direct))
        states = states.filter(~pl.col("loan_id").is_in(later))
    if later:
        by_engine = _domain_states(loan_list(user=SYSTEM, ids=later).select_related(None), day)
        states = pl.concat([states, by_engine.select(states.columns)])
    states = _with_floors(states.with_columns(as_of=pl.lit(day, dtype=pl.Date)).select(STATE_COLS), day)
    j = states.join(cache, on="loan_id")
    differs = pl.any_horizontal([pl.col(c).ne_missing(pl.col(f"c_{c}")) for c in CACHE_COLS])
    newer = pl.col("c_state_as_of").is_null() | (pl.col("c_state_as_of") <= day)
    changed = (j.filter(differs & newer).select("loan_id", *CACHE_COLS, "as_of")
               .join(versions, on="loan_id", how="left"))
    return Computed(states, len(later), changed, versions)


def _direct_mode_loans(loans: pl.DataFrame) -> list[int]:
    """Ids of the loans with periods in 直接贴付 mode (``Loan.subsidy_mode``, set at disbursement, or an
    effective-dated change of it; ADR 0004), read with the loans."""
    return loans.filter(pl.col("direct") == 1)["loan_id"].to_list()


def _domain_states(loans: Iterable, day: dt.date) -> pl.DataFrame:
    """States by the domain engine, one loan at a time: loans with a payment dated after ``day``
    (catch-up of an older date), 直接贴付 loans, and loans that moved during the close."""
    rows = []
    for loan in loans:
        s = loan_current_state(loan, day)
        nxt = min((i.due_date for i in s.installments
                   if i.paid_off_on is None and i.due_date >= day and i.principal_unpaid > 0), default=None)
        rows.append({"loan_id": loan.pk, "days_past_due": s.days_past_due, "classification": s.classification,
                     "principal_outstanding": s.principal_outstanding, "overdue_principal": s.overdue_principal,
                     "overdue_interest": s.overdue_interest, "penalty_owed": s.penalty_owed, "advance": s.advance,
                     "next_due_date": next_due_date(s), "principal_due_soon": principal_due_soon(nxt, day),
                     "warning_light": warning_light(s.days_past_due, s.classification, nxt, loan.risk_flag, day),
                     "region_code": loan.region_code, "bank_id": loan.bank_id, "household_id": loan.household_id})
    return pl.DataFrame(rows, schema=DOMAIN_SCHEMA)


def _lock_loans() -> None:
    """Hold off every writer of loans until the close commits (ADR 0002).

    EXCLUSIVE mode still lets plain reads through but conflicts with ``select_for_update``,
    which every servicing posting takes first: a posting in flight is waited for (and then seen),
    a later one waits for the close. SQLite: the write transaction is BEGIN IMMEDIATE already.
    """
    if io.is_postgres():
        with connection.cursor() as c:
            c.execute("LOCK TABLE loans_loan IN EXCLUSIVE MODE")


def _refresh_moved(day: dt.date, computed: Computed) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """Under the lock: (states, cache changes, recomputed count) with every loan that moved since
    the read — a posting, a new disbursement, a settlement — taken as it is now.

    Moved and new loans are recomputed by the domain engine from their events (row-locked), so a
    payment dated ``day`` is in that day's state and aggregates; loans no longer on the books of
    ``day`` leave the close. Their cache is not written: the posting wrote it as of the business date.
    """
    current = io.read_frame(VERSIONS_SQL, VERSION_SCHEMA, _on_books_params(day))
    j = computed.versions.join(current, on="loan_id", how="full", suffix="_now", coalesce=True)
    gone = j.filter(pl.col("version_now").is_null())["loan_id"].to_list()
    new = j.filter(pl.col("version").is_null())["loan_id"].to_list()
    moved = j.filter(pl.col("version").is_not_null() & pl.col("version_now").is_not_null()
                     & (pl.col("version") != pl.col("version_now")))["loan_id"].to_list()
    if not (gone or new or moved):
        return computed.states, computed.changed, 0
    leave = pl.col("loan_id").is_in(gone + moved + new)
    states, changed = computed.states.filter(~leave), computed.changed.filter(~leave)
    redo = sorted(moved + new)
    if redo:
        fresh = _domain_states(loan_list(user=SYSTEM, ids=redo).select_related(None).select_for_update().order_by("pk"),
                               day)
        fresh = _with_floors(fresh.with_columns(as_of=pl.lit(day, dtype=pl.Date)).select(STATE_COLS), day)
        states = pl.concat([states, fresh])
    return states, changed, len(redo)


def _with_floors(states: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """The class by days past due, never better than a confirmed manual class (DOMAIN §5.4,
    ``domain.classification.effective_class``, ADR 0002 amendment); an NPL floor makes the light red
    (``domain.monitoring.warning_light``). Floors are few: one small read, joined in Polars."""
    floors = classification_floors(day)
    if not floors:
        return states
    rank = {c: i for i, c in enumerate(CLASSES)}
    f = pl.DataFrame(floors, schema={"loan_id": pl.Int64, "floor": pl.Utf8}, orient="row")
    out = states.join(f, on="loan_id", how="left")
    worse = (pl.col("floor").is_not_null()
             & (pl.col("floor").replace_strict(rank, default=0, return_dtype=pl.Int64)
                > pl.col("classification").replace_strict(rank, default=0, return_dtype=pl.Int64)))
    out = out.with_columns(classification=pl.when(worse).then(pl.col("floor")).otherwise(pl.col("classification")))
    out = out.with_columns(warning_light=pl.when(pl.col("classification").is_in(sorted(NPL_CLASSES)))
                           .then(pl.lit("red")).otherwise(pl.col("warning_light")))
    return out.select(states.columns)


CLASS_MOVES_SQL = """INSERT INTO loans_classificationmove (loan_id, "on", from_class, to_class, cause, reason,
  reason_text, created_at)
  SELECT loan_id, %(day)s, prev, classification, 'close', '', '', %(at)s FROM (
    SELECT t.loan_id, t.classification, COALESCE(
      (SELECT m.to_class FROM loans_classificationmove m WHERE m.loan_id = t.loan_id
         AND (m."on" < %(day)s OR (m."on" = %(day)s AND m.cause = 'manual')) ORDER BY m."on" DESC, m.id DESC LIMIT 1),
      CASE WHEN s.as_of < %(day)s THEN s.classification END, 'normal') AS prev
    FROM tmp_close_state t LEFT JOIN monitoring_loandaystate s ON s.loan_id = t.loan_id
    WHERE s.loan_id IS NULL OR s.as_of >= %(day)s OR s.classification <> t.classification
       OR t.loan_id IN (SELECT loan_id FROM loans_classificationmove WHERE cause = 'manual')) x
  WHERE prev <> classification"""


def _write_class_moves(c, day: dt.date) -> None:
    """The delinquency history (issue #12 §7): one bulk insert of the loans whose class on ``day`` differs
    from their latest recorded class (a manual move of the same day counts as before the close). The
    close's own moves of ``day`` are replaced first, so a re-run or a stale re-close of the date writes
    them once (unique per loan, day and cause ``close``). Only loans whose class may have moved are
    looked up: a class other than the previous close's, no previous state, a re-run, a manual move."""
    c.execute("""DELETE FROM loans_classificationmove WHERE cause = 'close' AND "on" = %s""", [day])
    c.execute(CLASS_MOVES_SQL, {"day": day, "at": now()})


def _write(day: dt.date, states: pl.DataFrame, report: Report, loan_changes: pl.DataFrame) -> int:
    """Upsert states, loan cache, snapshots, aggregates; returns the number of changed loans."""
    io.write_temp("tmp_close_state", states, STATE_DDL)
    cols = ", ".join(STATE_COLS)
    sets = ", ".join(f"{c} = excluded.{c}" for c in STATE_COLS[1:])
    with connection.cursor() as c:
        _write_class_moves(c, day)  # before the day state is replaced: it holds the previous close's classes
        report(3, STEPS, "写入贷款日终状态")
        c.execute(f"""INSERT INTO monitoring_loandaystate ({cols}) SELECT {cols} FROM tmp_close_state WHERE 1 = 1
            ON CONFLICT (loan_id) DO UPDATE SET {sets}
            WHERE {_distinct_sql('monitoring_loandaystate', 'excluded', VALUE_COLS)}""")
        changed = c.rowcount
        c.execute("""DELETE FROM monitoring_loandaystate WHERE NOT EXISTS
            (SELECT 1 FROM tmp_close_state t WHERE t.loan_id = monitoring_loandaystate.loan_id)""")
        changed += c.rowcount
        report(4, STEPS, "更新贷款台账状态")
        io.write_temp("tmp_close_loans", loan_changes.select("loan_id", *CACHE_COLS, "as_of", "version"),
                      "loan_id bigint primary key, days_past_due integer, classification varchar(16), "
                      "principal_outstanding bigint, overdue_principal bigint, overdue_interest bigint, "
                      "penalty_owed bigint, advance bigint, next_due_date date, as_of date, version bigint")
        loan_sets = ", ".join(f"{k} = t.{k}" for k in CACHE_COLS) + ", state_as_of = t.as_of"
        # Only the version read: never overwrite a loan that changed after the read (ADR 0002).
        c.execute(f"""UPDATE loans_loan SET {loan_sets} FROM tmp_close_loans t
            WHERE loans_loan.id = t.loan_id AND loans_loan.version = t.version""")
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


def _refuse_if_overtaken(day: dt.date, since: dt.datetime) -> None:
    """Under the lock: a close of a later date that finished while this request ran (another
    worker, the command line) wins — this one must not write an older state over it."""
    newer = (CloseRun.objects.filter(status=CloseRun.Status.DONE, business_date__gt=day, finished_at__gt=since)
             .order_by("-business_date").values_list("business_date", flat=True).first())
    if newer is not None:
        raise CloseDateError("date", f"运行期间另一日终已完成更晚的日期 {newer}：不再用 {day} 的状态覆盖当前状态")


def _close_one(day: dt.date, report: Report, since: dt.datetime) -> CloseRun:
    """Close one date whose request was checked by the rule (idempotent: a rerun changes nothing).

    A date closed before stays "done" while it is closed again (its data stay valid until the
    new ones commit), so "the latest finished close" never moves back during a re-run.
    """
    started = time.perf_counter()
    run, _ = CloseRun.objects.get_or_create(business_date=day, defaults={"status": CloseRun.Status.RUNNING})
    was_done = run.status == CloseRun.Status.DONE
    running = {} if was_done else {"status": CloseRun.Status.RUNNING}
    CloseRun.objects.filter(pk=run.pk).update(started_at=now(), **running)
    try:
        report(1, STEPS, f"读取贷款与还款计划（{day}）")
        computed = compute_states(day)
        report(2, STEPS, f"计算完成：{computed.states.height} 笔")
        with transaction.atomic():
            _lock_loans()
            _refuse_if_overtaken(day, since)
            states, loan_changes, moved = _refresh_moved(day, computed)
            watermark = loan_event_last_id()  # every event this close saw
            changed = _write(day, states, report, loan_changes)
            services.breakers_evaluate(day)  # circuit breakers from the aggregates just written (DOMAIN §8)
            after_close(day)  # reminders, collection cases … registered by the apps above (core.panels)
            CloseRun.objects.filter(pk=run.pk).update(
                status=CloseRun.Status.DONE, loans=states.height, changed=changed, fallback=computed.fallback + moved,
                seconds=round(time.perf_counter() - started, 3), runs=F("runs") + 1, finished_at=now(), message="",
                event_watermark=watermark)
    except Exception as exc:
        text = f"重跑失败（保留上次结果）：{exc}" if was_done else str(exc)
        failed = {"message": text[:2000], "finished_at": now()}
        CloseRun.objects.filter(pk=run.pk).update(**failed, **({} if was_done else {"status": CloseRun.Status.FAILED}))
        raise
    run.refresh_from_db()
    report(STEPS, STEPS, f"{day} 日终完成：{run.loans} 笔，变化 {run.changed} 笔")
    return run


def close_through(up_to: dt.date, report: Report = _noop, catch_up: bool = True, *, actor=None,
                  source: str = "code", note: str = "") -> list[CloseRun]:
    """Close ``up_to`` and the dates the rule adds (missed dates, stale re-close), in order.

    The request is checked and audited by ``services.close_request`` (refused: CloseDateError).
    Afterwards the events posted during the run are checked: one dated on/before a date this run
    had already closed marks that close stale, for the next close.
    """
    since = now()
    last = CloseRun.objects.filter(status=CloseRun.Status.DONE).order_by("-business_date").first()
    watermark = last.event_watermark if last is not None and last.event_watermark is not None else \
        loan_event_last_id()
    days = services.close_request(up_to, actor=actor, source=source, catch_up=catch_up, note=note)
    flagged = list(CloseRun.objects.filter(stale=True, business_date__in=days).values_list("pk", flat=True))
    runs = []
    try:
        for k, day in enumerate(days):
            def step(done, total, message="", k=k):
                report(k * STEPS + done, len(days) * STEPS, message)
            runs.append(_close_one(day, step, since))
        CloseRun.objects.filter(pk__in=flagged).update(stale=False)  # closed again, after their late events
    finally:
        services.closes_mark_stale(since=watermark)
    return runs


def run_close(day: dt.date, report: Report = _noop, *, actor=None, source: str = "code") -> CloseRun:
    """Close exactly ``day`` (no catch-up of missed dates before it; a stale re-close still runs
    first). Refused dates raise CloseDateError, as for ``close_through``."""
    return close_through(day, report, catch_up=False, actor=actor, source=source)[-1]


def schedule_close() -> None:
    """Worker hook: enqueue the close of the business date when it is not closed yet, or when an
    earlier close went stale (a payment for yesterday posted today); one job at a time.

    A stale close of the business date itself waits for the next business date's close, which
    re-runs from it — otherwise every payment after the close would start another one.
    """
    day = business_date()
    facts = services.close_facts(day)
    stale = facts.stale_from
    closed = CloseRun.objects.filter(business_date=day, status=CloseRun.Status.DONE).exists()
    if closed and (stale is None or stale >= day):
        return
    if jobs_for(SYSTEM).filter(kind="daily_close", status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
                               params__date=day.isoformat()).exists():
        return
    try:  # the job audits its request; a date the rule refuses (business date moved back) is not queued
        close_dates(day, day, facts.last_closed, stale_from=facts.stale_from, first_disbursed=facts.first_disbursed)
    except CloseDateError:
        return
    enqueue(kind="daily_close", params={"date": day.isoformat(), "scheduled": True, "source": "schedule"})
