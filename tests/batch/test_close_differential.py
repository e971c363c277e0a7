"""The set-based close agrees with domain.servicing.loan_state on random portfolios."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import polars as pl
import pytest

from microcredit.batch.basis import basis_of, next_due_date
from microcredit.batch.close import INST_SCHEMA, LOAN_SCHEMA, close_states, penalty_ratio
from microcredit.domain.monitoring import warning_light
from microcredit.domain.schedules import METHODS, LoanTerms, build_schedule
from microcredit.domain.servicing import Payment, loan_state, settlement_quote


def random_loan(rng: random.Random):
    terms = LoanTerms(rng.choice([500000, 1000000, 3000000, 5000000, 1234567]),
                      Decimal(rng.choice(["4.35", "4.75", "3.45", "3.85", "0"])),
                      date(2020, 1, 1) + timedelta(days=rng.randrange(1400)),
                      rng.choice([6, 12, 24, 36]), rng.choice(METHODS))
    schedule = build_schedule(terms)
    payments: list[Payment] = []
    behaviour = rng.choice(["on_time", "late", "partial", "none", "advance", "settle"])
    for inst in schedule.installments:
        if behaviour == "none" or rng.random() < 0.1:
            continue
        shift = {"on_time": 0, "late": rng.randrange(0, 120), "partial": rng.randrange(-5, 40),
                 "advance": -rng.randrange(0, 20), "settle": 0}[behaviour]
        day = max(terms.disbursed_on, inst.due_date + timedelta(days=shift))
        amount = inst.amount if behaviour != "partial" else max(1, inst.amount * rng.randrange(20, 130) // 100)
        if behaviour == "advance":
            amount += rng.randrange(0, 50000)
        if amount > 0:
            payments.append(Payment(day, amount))
        if behaviour == "settle" and rng.random() < 0.3:
            on = day + timedelta(days=rng.randrange(1, 40))
            q = settlement_quote(schedule, terms, payments, on)
            if q.total > 0:
                payments.append(Payment(on, q.total, "settlement"))
            break
    return terms, schedule, payments


def frames(portfolio):
    loans, insts = [], []
    for lid, (terms, schedule, payments, flag) in enumerate(portfolio):
        b = basis_of(schedule, terms, payments)
        pn, pd = penalty_ratio(terms.annual_rate)
        loans.append({"loan_id": lid, "basis_on": b.on, "advance": b.advance, "pen_num": pn,
                      "pen_den": pd, "risk_flag": flag})
        for x in b.installments:
            if x.paid_off_on is None:
                insts.append({"loan_id": lid, "seq": x.seq, "due_date": x.due_date,
                              "principal": x.principal, "interest": x.interest,
                              "principal_paid": x.principal_paid, "interest_paid": x.interest_paid,
                              "penalty_paid": x.penalty_paid, "fen_days": x.fen_days,
                              "accrued_to": x.accrued_to})
    return pl.DataFrame(loans, schema=LOAN_SCHEMA), pl.DataFrame(insts, schema=INST_SCHEMA)


@pytest.mark.parametrize("seed", range(6))
def test_close_equals_domain_on_random_portfolio(seed):
    rng = random.Random(seed)
    portfolio = []
    for _ in range(150):
        terms, schedule, payments = random_loan(rng)
        portfolio.append((terms, schedule, payments, rng.choice(["", "", "", "death"])))
    loans, insts = frames(portfolio)
    for day in (date(2022, 6, 30), date(2023, 3, 21), date(2024, 12, 31), date(2027, 1, 1)):
        states, later = close_states(loans, insts, day)
        by_id = {r["loan_id"]: r for r in states.iter_rows(named=True)}
        assert len(by_id) + len(later) == len(portfolio)
        for lid, (terms, schedule, payments, flag) in enumerate(portfolio):
            if lid in later or day < terms.disbursed_on:
                continue
            want = loan_state(schedule, terms, payments, day)
            got = by_id[lid]
            assert (got["days_past_due"], got["classification"], got["principal_outstanding"],
                    got["overdue_principal"], got["overdue_interest"], got["penalty_owed"],
                    got["advance"], got["next_due_date"]) == (
                    want.days_past_due, want.classification, want.principal_outstanding,
                    want.overdue_principal, want.overdue_interest, want.penalty_owed,
                    want.advance, next_due_date(want)), (seed, lid, day, terms, payments)
            nxt = min((s.due_date for s in want.installments
                       if s.paid_off_on is None and s.due_date >= day and s.principal_unpaid > 0), default=None)
            assert got["warning_light"] == warning_light(want.days_past_due, want.classification,
                                                         nxt, flag, day)
