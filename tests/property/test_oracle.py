"""microcredit.domain against the naive day-by-day oracle (tests/property/oracle.py).

The oracle is first checked against the worked examples of DOMAIN §5.2 and §5.3, then the
domain is compared with it field by field, to the fen, over random loans and histories.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from microcredit.calculator import run
from microcredit.domain.loss_sharing import SHARING_PRESETS, share_loss
from microcredit.domain.rates import cap_rate
from microcredit.domain.restructuring import extend, max_extension_months
from microcredit.domain.schedules import METHODS, LoanTerms, build_schedule
from microcredit.domain.servicing import Payment, loan_state, settlement_quote
from microcredit.domain.subsidy import SubsidyTerms, subsidy_by_period
from tests.property import oracle as O

import os

CASES = settings(max_examples=int(os.environ.get("ORACLE_EXAMPLES", "150")), deadline=None)


# ------------------------------------------------------------ the oracle vs the spec examples

def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def test_oracle_reproduces_the_52_worked_examples():
    q = O.schedule(5_000_000, "4.35", date(2018, 3, 15), 36, "interest_quarterly")
    assert [(x["due"], _yuan(x["interest"])) for x in q[:4]] == [
        (date(2018, 3, 21), "36.25"), (date(2018, 6, 21), "555.83"),
        (date(2018, 9, 21), "555.83"), (date(2018, 12, 21), "549.79")]
    assert (q[-1]["due"], q[-1]["principal"], q[-1]["interest"]) == \
        (date(2021, 3, 15), 5_000_000, 50750)
    assert len(q) == 13 and sum(x["interest"] for x in q) == 662164

    b = O.schedule(3_000_000, "4.35", date(2019, 5, 8), 12, "bullet")
    assert [(x["due"], x["principal"], x["interest"]) for x in b] == \
        [(date(2020, 5, 8), 3_000_000, 132675)]

    m = O.schedule(2_000_000, "3.45", date(2023, 12, 31), 12, "interest_monthly")
    assert [(x["due"], x["interest"]) for x in m[:3]] == [
        (date(2024, 1, 21), 4025), (date(2024, 2, 21), 5942), (date(2024, 3, 21), 5558)]
    assert (m[-1]["due"], m[-1]["principal"], m[-1]["interest"]) == \
        (date(2024, 12, 31), 2_000_000, 1917)

    e = O.schedule(5_000_000, "4.75", date(2019, 1, 31), 12, "equal_installment")
    assert [(x["due"], x["principal"], x["interest"]) for x in e[:2]] == [
        (date(2019, 2, 28), 407673, 19792), (date(2019, 3, 31), 409287, 18178)]
    assert (e[-1]["due"], e[-1]["principal"], e[-1]["interest"]) == \
        (date(2020, 1, 31), 425777, 1685)

    p = O.schedule(2_400_000, "3.85", date(2021, 3, 10), 24, "equal_principal")
    assert [(x["due"], x["principal"], x["interest"]) for x in p[:2]] == [
        (date(2021, 4, 10), 100000, 7700), (date(2021, 5, 10), 100000, 7379)]
    assert (p[-1]["due"], p[-1]["principal"], p[-1]["interest"]) == \
        (date(2023, 3, 10), 100000, 321)


def test_oracle_reproduces_the_53_worked_example():
    q = O.schedule(5_000_000, "4.35", date(2018, 3, 15), 36, "interest_quarterly")
    pays = [(x["due"], x["interest"]) for x in q if x["due"] <= date(2019, 3, 21)]
    pays.append((date(2019, 8, 1), 60000))
    s = O.simulate(q, "4.35", date(2018, 3, 15), pays, date(2020, 1, 1))
    june = next(x for x in s["installments"] if x["due"] == date(2019, 6, 21))
    sept = next(x for x in s["installments"] if x["due"] == date(2019, 9, 21))
    assert june["paid_off"] == date(2019, 8, 1) and june["pen_paid"] == 413
    assert 60000 - 413 - june["interest"] == 4004 and sept["i_paid"] == 4004
    assert s["overdue_interest"] == 106558
    assert s["penalty_owed"] == 1064
    assert s["days_past_due"] == 102
    assert s["classification"] == "substandard"
    # and the domain agrees
    terms = LoanTerms(5_000_000, Decimal("4.35"), date(2018, 3, 15), 36, "interest_quarterly")
    d = loan_state(build_schedule(terms), terms, [Payment(a, b) for a, b in pays],
                   date(2020, 1, 1))
    assert (d.overdue_interest, d.penalty_owed, d.days_past_due, d.classification) == \
        (106558, 1064, 102, "substandard")


# ------------------------------------------------------------ strategies

LO, HI = date(2015, 1, 1), date(2026, 12, 31)


@st.composite
def disbursement_dates(draw):
    kind = draw(st.sampled_from(["any", "any", "month_end", "leap", "settlement"]))
    if kind == "any":
        return draw(st.dates(min_value=LO, max_value=HI))
    y = draw(st.integers(2015, 2026))
    m = draw(st.integers(1, 12))
    if kind == "month_end":
        return date(y, m, calendar.monthrange(y, m)[1])
    if kind == "leap":
        return date(draw(st.sampled_from([2016, 2020, 2024])), 2, 29)
    return date(y, m, draw(st.sampled_from([19, 20, 21])))


@st.composite
def loans(draw):
    principal = draw(st.integers(1000_00, 100_000_00))
    rate = draw(st.one_of(st.integers(200, 600).map(lambda n: Decimal(n) / 100),
                          st.integers(2000, 6000).map(lambda n: Decimal(n) / 1000)))
    method = draw(st.sampled_from(METHODS))
    months = draw(st.integers(1, 36))
    disbursed = draw(disbursement_dates())
    return principal, rate, disbursed, months, method


@st.composite
def histories(draw, insts, disbursed):
    """Per instalment: on time, early, late (days … years), partial, skipped, overpaid."""
    pays: list[tuple[date, int]] = []
    for x in insts:
        amount = x["principal"] + x["interest"]
        how = draw(st.sampled_from(["on_time", "on_time", "early", "late", "partial", "skip",
                                    "over", "years_late"]))
        due = x["due"]
        if how == "skip":
            continue
        if how == "early":
            when = max(disbursed, due - timedelta(days=draw(st.integers(1, 40))))
        elif how == "late":
            when = due + timedelta(days=draw(st.integers(1, 120)))
        elif how == "years_late":
            when = due + timedelta(days=draw(st.integers(365, 1500)))
        else:
            when = due
        if how == "partial":
            amount = draw(st.integers(1, max(1, amount - 1)))
        elif how == "over":
            amount += draw(st.integers(1, 300_000))
        elif how in ("late", "years_late"):
            amount += draw(st.integers(0, 20_000))  # something towards the penalty
        pays.append((when, amount, "regular"))
    for _ in range(draw(st.integers(0, 3))):  # stray payments, sometimes 提前结清
        off = draw(st.integers(0, (insts[-1]["due"] - disbursed).days + 800))
        kind = draw(st.sampled_from(["regular", "regular", "settlement"]))
        amount = draw(st.one_of(st.integers(1, 2_000_000),
                                st.integers(principal_of(insts), principal_of(insts) * 2)))
        pays.append((disbursed + timedelta(days=off), amount, kind))
    return pays


def principal_of(insts) -> int:
    return sum(x["principal"] for x in insts)


@st.composite
def cases(draw):
    principal, rate, disbursed, months, method = draw(loans())
    insts = O.schedule(principal, str(rate), disbursed, months, method)
    pays = draw(histories(insts, disbursed))
    span = (insts[-1]["due"] - disbursed).days
    as_of = disbursed + timedelta(days=draw(st.one_of(
        st.integers(0, span + 1600),
        st.sampled_from([(x["due"] - disbursed).days + k for x in insts for k in (-1, 0, 1)]))))
    return principal, rate, disbursed, months, method, insts, pays, max(as_of, disbursed)


# ------------------------------------------------------------ comparisons

@CASES
@given(loans())
def test_schedule_matches_the_oracle(loan):
    principal, rate, disbursed, months, method = loan
    terms = LoanTerms(principal, rate, disbursed, months, method)
    got = build_schedule(terms)
    want = O.schedule(principal, str(rate), disbursed, months, method)
    assert got.maturity_date == O.plus_months(disbursed, months)
    assert [(i.period_start, i.due_date, i.principal, i.interest) for i in got.installments] \
        == [(x["start"], x["due"], x["principal"], x["interest"]) for x in want]


@CASES
@given(cases())
def test_loan_state_and_subsidy_match_the_oracle(case):
    principal, rate, disbursed, months, method, insts, pays, as_of = case
    terms = LoanTerms(principal, rate, disbursed, months, method)
    schedule = build_schedule(terms)
    payments = [Payment(d, a, k) for d, a, k in pays]
    got = loan_state(schedule, terms, payments, as_of)
    want = O.simulate(insts, str(rate), disbursed, pays, as_of)
    other = O.simulate(insts, str(rate), disbursed, pays, as_of, "0.3")
    assert loan_state(schedule, terms, payments, as_of, Decimal("0.3")).penalty_owed == \
        other["penalty_owed"]
    for field in ("days_past_due", "classification", "principal_outstanding",
                  "overdue_principal", "overdue_interest", "penalty_owed", "advance",
                  "total_paid"):
        assert getattr(got, field) == want[field], field
    offs = [w["paid_off"] for w in want["installments"]]
    assert got.closed_on == (max(offs) if all(offs) else None)
    assert (got.principal_paid, got.interest_paid, got.penalty_paid) == tuple(
        sum(w[k] for w in want["installments"]) for k in ("p_paid", "i_paid", "pen_paid"))
    for g, w in zip(got.installments, want["installments"], strict=True):
        assert (g.due_date, g.principal, g.interest, g.settled_early, g.cancelled) == (
            w["due"], w["principal"], w["interest"], w["settled"], w["cancelled"]), g.seq
        assert (g.principal_paid, g.interest_paid, g.penalty_paid, g.penalty_owed,
                g.paid_off_on) == (w["p_paid"], w["i_paid"], w["pen_paid"],
                                   O.half_up(w["pen_exact"]) - w["pen_paid"], w["paid_off"]), g.seq

    cap = O.cap(disbursed, months)
    if cap is None:
        return
    assert cap_rate(disbursed, months) == Decimal(cap)
    for ratio, years, grace in (("1", 3, 0), ("0.5", 3, 0), ("1", 3, 5), ("1", 1, 0),
                                ("0.5", 2, 3)):
        sub = subsidy_by_period(schedule, terms, payments,
                                SubsidyTerms(Decimal(cap), Decimal(ratio), years, grace), as_of)
        exp = O.subsidy(insts, want, str(rate), cap, ratio, method, disbursed, as_of, years,
                        grace)
        assert [p.amount for p in sub] == exp, (ratio, years, grace)


@CASES
@given(st.integers(0, 10 ** 9), st.sampled_from(sorted(SHARING_PRESETS)))
def test_loss_sharing_matches_the_oracle(loss, preset):
    parties = SHARING_PRESETS[preset]
    assert list(share_loss(loss, parties)) == O.share(loss, [(n, str(r)) for n, r in parties])


@CASES
@given(cases())
def test_settlement_quote_matches_the_oracle_and_settles(case):
    principal, rate, disbursed, months, method, insts, pays, on = case
    terms = LoanTerms(principal, rate, disbursed, months, method)
    schedule = build_schedule(terms)
    pays = [(d, a, "regular") for d, a, _ in pays]
    payments = [Payment(d, a) for d, a, _ in pays]
    got = settlement_quote(schedule, terms, payments, on)
    want = O.settlement_quote(insts, str(rate), disbursed, pays, on)
    assert (got.principal_outstanding, got.current_interest, got.due_interest, got.penalty,
            got.advance, got.total) == (
        want["principal_outstanding"], want["current_interest"], want["due_interest"],
        want["penalty"], want["advance"], want["total"])
    if got.total > 0:
        after = loan_state(schedule, terms, payments + [Payment(on, got.total, "settlement")],
                           on)
        assert after.closed_on is not None and after.closed_on <= on
        assert (after.principal_outstanding, after.overdue_interest, after.penalty_owed,
                after.advance) == (0, 0, 0, 0)
        # nothing later changes a settled loan
        before = [p for p in payments if p.date <= on]
        later = loan_state(schedule, terms, before + [Payment(on, got.total, "settlement")],
                           on + timedelta(days=400))
        assert (later.principal_outstanding, later.penalty_owed, later.days_past_due,
                later.advance) == (0, 0, 0, 0)


def _y(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


@settings(max_examples=60, deadline=None)
@given(cases())
def test_calculator_statement_matches_the_oracle(case):
    principal, rate, disbursed, months, method, insts, pays, as_of = case
    cap = O.cap(disbursed, months) or "4.35"
    payload = {
        "loan": {"principal": _y(principal), "annual_rate": str(rate),
                 "disbursed_on": disbursed.isoformat(), "term_months": months,
                 "method": method},
        "payments": [{"date": d.isoformat(), "amount": _y(a), "kind": k} for d, a, k in pays],
        "as_of": as_of.isoformat(),
        "subsidy": {"cap_rate": cap, "ratio": "50%", "max_years": 3},
    }
    out = run("statement", payload)
    want = O.simulate(insts, str(rate), disbursed, pays, as_of)
    assert out["maturity_date"] == O.plus_months(disbursed, months).isoformat()
    assert (out["days_past_due"], out["classification"]) == \
        (want["days_past_due"], want["classification"])
    for field in ("principal_outstanding", "overdue_principal", "overdue_interest",
                  "penalty_owed", "advance"):
        assert out[field] == _y(want[field]), field
    assert [(i["due_date"], i["principal_paid"], i["interest_paid"], i["penalty_paid"],
             i["paid_off_on"]) for i in out["installments"]] == [
        (w["due"].isoformat(), _y(w["p_paid"]), _y(w["i_paid"]), _y(w["pen_paid"]),
         w["paid_off"].isoformat() if w["paid_off"] else None) for w in want["installments"]]
    sub = O.subsidy(insts, want, str(rate), cap, "0.5", method, disbursed, as_of)
    assert [p["amount"] for p in out["subsidy"]] == [_y(a) for a in sub]


@settings(max_examples=60, deadline=None)
@given(loans(), st.integers(0, 10 ** 6), st.integers(1, 18))
def test_extension_keeps_what_is_due_and_matches_the_oracle(loan, seed, extra):
    principal, rate, disbursed, months, method = loan
    terms = LoanTerms(principal, rate, disbursed, months, method)
    schedule = build_schedule(terms)
    span = (schedule.maturity_date - disbursed).days
    on = disbursed + timedelta(days=seed % span)
    pays = [Payment(i.due_date, i.amount) for i in schedule.installments if i.due_date <= on]
    extra = min(extra, max_extension_months(months))
    new_terms, new = extend(terms, schedule, pays, on=on, extra_months=extra)
    assert new_terms.term_months == months + extra
    assert new.maturity_date == O.plus_months(disbursed, months + extra)
    kept = [i for i in schedule.installments if i.due_date <= on]
    assert list(new.installments[:len(kept)]) == kept
    assert sum(i.principal for i in new.installments) == principal
    if method not in ("equal_installment", "equal_principal"):
        want = O.schedule(principal, str(rate), disbursed, months + extra, method)
        assert [(i.period_start, i.due_date, i.principal, i.interest)
                for i in new.installments] == [
            (x["start"], x["due"], x["principal"], x["interest"]) for x in want]
    else:  # the remaining balance re-amortised over the remaining months (§5.2 formulas)
        balance = principal - sum(i.principal for i in kept)
        n = months + extra - len(kept)
        rest = O.schedule(balance, str(rate), O.plus_months(disbursed, len(kept)), n, method)
        got = new.installments[len(kept):]
        assert [(i.principal, i.interest) for i in got] == \
            [(x["principal"], x["interest"]) for x in rest]
        assert [i.due_date for i in got] == \
            [O.plus_months(disbursed, len(kept) + k) for k in range(1, n + 1)]
