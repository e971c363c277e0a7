"""The daily close (日终) as set-based Polars expressions over the whole portfolio (DOMAIN §8).

Input: one row per loan (``loan_id``, ``basis_on``, ``advance`` at the basis, the penalty
ratio ``pen_num``/``pen_den`` per day-fen, ``risk_flag``, grouping columns) and one row per
instalment **not paid off at the basis** (:mod:`microcredit.batch.basis`). Output: the state of
every loan as of the end of day D, equal to ``domain.servicing.loan_state(…, D)`` (tested
differentially). Loans whose basis is after D (a payment dated after D) cannot be rolled
forward; :func:`close_states` returns their ids so the caller computes them with ``domain``.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import polars as pl

from microcredit.batch.warning import YELLOW_HORIZON_DAYS, warning_light_expr
from microcredit.domain.classification import DEFAULT_BANDS, NPL_CLASSES
from microcredit.domain.servicing import DEFAULT_PENALTY_MARKUP
from microcredit.domain.servicing import penalty_ratio as domain_penalty_ratio
from microcredit.domain.schedules import LoanTerms

LOAN_SCHEMA = {"loan_id": pl.Int64, "basis_on": pl.Date, "advance": pl.Int64,
               "pen_num": pl.Int64, "pen_den": pl.Int64, "risk_flag": pl.Utf8}
INST_SCHEMA = {"loan_id": pl.Int64, "seq": pl.Int64, "due_date": pl.Date, "principal": pl.Int64,
               "interest": pl.Int64, "principal_paid": pl.Int64, "interest_paid": pl.Int64,
               "penalty_paid": pl.Int64, "fen_days": pl.Int64, "accrued_to": pl.Date}
STATE_COLUMNS = ["loan_id", "days_past_due", "classification", "principal_outstanding",
                 "overdue_principal", "overdue_interest", "penalty_owed", "advance",
                 "next_due_date", "principal_due_soon", "warning_light"]


def penalty_ratio(annual_rate: Decimal, markup: Decimal = DEFAULT_PENALTY_MARKUP) -> tuple[int, int]:
    """(num, den): penalty of one fen-day = num / den fen (the domain's ratio)."""
    dummy = LoanTerms(1, Decimal(annual_rate), date(2000, 1, 1), 1, "bullet")
    return domain_penalty_ratio(dummy, markup)


def classification_expr(dpd: pl.Expr) -> pl.Expr:
    """The five-class rule of ``domain.classification`` (its bands) over a column."""
    expr = pl.lit("normal")
    for band in DEFAULT_BANDS:  # lowest first; later bands win, as in classify()
        cond = dpd >= band.from_days
        if band.to_days is not None:
            cond = cond & (dpd <= band.to_days)
        expr = pl.when(cond).then(pl.lit(band.classification)).otherwise(expr)
    return expr


def _round_half_up(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return (num * 2 + den) // (den * 2)  # non-negative numerators only


def close_states(loans: pl.DataFrame, insts: pl.DataFrame, day: date) -> tuple[pl.DataFrame, list[int]]:
    """(states of the loans with basis_on ≤ day, ids of loans to compute with domain)."""
    later = loans.filter(pl.col("basis_on") > day)["loan_id"].to_list()
    loans = loans.filter(pl.col("basis_on") <= day)
    d = pl.lit(day, dtype=pl.Date)
    i = (insts.join(loans.select("loan_id", "basis_on", "advance", "pen_num", "pen_den"),
                    on="loan_id", how="inner")
         .sort("loan_id", "due_date", "seq"))
    amt = (pl.col("principal") - pl.col("principal_paid") + pl.col("interest")
           - pl.col("interest_paid"))
    newly = (pl.col("due_date") > pl.col("basis_on")) & (pl.col("due_date") <= d)
    i = i.with_columns(amt=amt, newly=newly)
    i = i.with_columns(new_amt=pl.when("newly").then("amt").otherwise(0))
    i = i.with_columns(cum_before=pl.col("new_amt").cum_sum().over("loan_id") - pl.col("new_amt"))
    i = i.with_columns(applied=pl.when("newly").then(
        pl.min_horizontal(pl.max_horizontal(pl.col("advance") - pl.col("cum_before"), pl.lit(0)),
                          pl.col("amt"))).otherwise(0))
    i = i.with_columns(i_new=pl.min_horizontal("applied", pl.col("interest") - pl.col("interest_paid")))
    i = i.with_columns(
        interest_paid=pl.col("interest_paid") + pl.col("i_new"),
        principal_paid=pl.col("principal_paid") + pl.col("applied") - pl.col("i_new"),
        unpaid=pl.col("amt") - pl.col("applied"),
        start=pl.when("newly").then("due_date").otherwise("accrued_to"),
    )
    due = pl.col("due_date") <= d
    days_since = (d - pl.col("start")).dt.total_days()
    i = i.with_columns(fen=pl.col("fen_days") + pl.when(due & (pl.col("unpaid") > 0))
                       .then(pl.col("unpaid") * days_since).otherwise(0))
    i = i.with_columns(
        pen_owed=pl.when(due).then(_round_half_up(pl.col("fen") * pl.col("pen_num"), pl.col("pen_den"))
                                   - pl.col("penalty_paid")).otherwise(0),
        late=(pl.col("due_date") < d) & (pl.col("unpaid") > 0),
    )
    soon = day + timedelta(days=YELLOW_HORIZON_DAYS)
    per = i.group_by("loan_id").agg(
        days_past_due=pl.when("late").then((d - pl.col("due_date")).dt.total_days()).otherwise(0).max(),
        principal_outstanding=(pl.col("principal") - pl.col("principal_paid")).sum(),
        overdue_principal=pl.when("late").then(pl.col("principal") - pl.col("principal_paid")).otherwise(0).sum(),
        overdue_interest=pl.when("late").then(pl.col("interest") - pl.col("interest_paid")).otherwise(0).sum(),
        penalty_owed=pl.col("pen_owed").sum(),
        new_due=pl.col("new_amt").sum(),
        next_due_date=pl.col("due_date").filter((pl.col("due_date") > d) | ((pl.col("due_date") == d) & (pl.col("unpaid") > 0))).min(),
        principal_due_soon=((pl.col("due_date") >= d) & (pl.col("due_date") <= pl.lit(soon))
                            & (pl.col("principal") - pl.col("principal_paid") > 0)).any(),
    )
    out = (loans.join(per, on="loan_id", how="left")
           .with_columns(
               pl.col("days_past_due", "principal_outstanding", "overdue_principal",
                      "overdue_interest", "penalty_owed", "new_due").fill_null(0).cast(pl.Int64),
               pl.col("principal_due_soon").fill_null(False))
           .with_columns(advance=pl.max_horizontal(pl.col("advance") - pl.col("new_due"), pl.lit(0)))
           .with_columns(classification=classification_expr(pl.col("days_past_due"))))
    out = out.with_columns(warning_light=warning_light_expr(
        pl.col("days_past_due"), pl.col("classification"), pl.col("principal_due_soon"),
        pl.col("risk_flag")))
    extra = [c for c in loans.columns if c not in LOAN_SCHEMA]
    return out.select(*STATE_COLUMNS, *extra), later


AGG_LEVELS = {"village": 12, "township": 9, "county": 6}


def aggregates(states: pl.DataFrame) -> pl.DataFrame:
    """Indicators per village/township/county (and per bank within each, and per bank alone).

    ``states`` needs ``region_code``, ``bank_id``, ``household_id`` besides the state columns.
    Rows: level, code, bank_id (0 = all banks), loans, households, balance, overdue_balance,
    npl_balance, overdue_loans, npl_loans, red, yellow, green, penalty.
    """
    s = states.with_columns(
        npl=pl.col("classification").is_in(sorted(NPL_CLASSES)),
        overdue=pl.col("days_past_due") > 0,
    ).filter(pl.col("principal_outstanding") > 0)
    metrics = [
        pl.len().cast(pl.Int64).alias("loans"),
        pl.col("household_id").n_unique().cast(pl.Int64).alias("households"),
        pl.col("principal_outstanding").sum().alias("balance"),
        pl.col("principal_outstanding").filter("overdue").sum().alias("overdue_balance"),
        pl.col("principal_outstanding").filter("npl").sum().alias("npl_balance"),
        pl.col("overdue").sum().cast(pl.Int64).alias("overdue_loans"),
        pl.col("npl").sum().cast(pl.Int64).alias("npl_loans"),
        (pl.col("warning_light") == "red").sum().cast(pl.Int64).alias("red"),
        (pl.col("warning_light") == "yellow").sum().cast(pl.Int64).alias("yellow"),
        (pl.col("warning_light") == "green").sum().cast(pl.Int64).alias("green"),
        pl.col("penalty_owed").sum().alias("penalty"),
    ]
    frames = []
    for level, width in AGG_LEVELS.items():
        g = s.with_columns(code=pl.col("region_code").str.slice(0, width), level=pl.lit(level))
        frames.append(g.group_by("level", "code").agg(metrics).with_columns(bank_id=pl.lit(0, pl.Int64)))
        frames.append(g.group_by("level", "code", "bank_id").agg(metrics))
    frames.append(s.with_columns(level=pl.lit("bank"), code=pl.lit(""))
                  .group_by("level", "code", "bank_id").agg(metrics))
    cols = ["level", "code", "bank_id", "loans", "households", "balance", "overdue_balance",
            "npl_balance", "overdue_loans", "npl_loans", "red", "yellow", "green", "penalty"]
    return pl.concat([f.select(cols).with_columns(pl.col(cols[3:]).cast(pl.Int64),
                                                 pl.col("bank_id").cast(pl.Int64)) for f in frames])
