"""A year of daily closes with random servicing in between agrees with the domain engine (issue #15 §1).

The safety net for the incremental close: a portfolio of a few dozen loans of every repayment method
and two banks is serviced through the loans app's services (repayments on time, late, partial and in
advance, early settlements, reversals — some of days already closed, which makes those closes stale —,
a write-off, an extension) and closed one business date after another for a year: every day for the
first month, then a week at a time (the close catches up the missed days, with events dated inside
the week). After every close, for every date it closed, the close's aggregates equal a reference
computed here from the events the test posted — ``domain.servicing.loan_state`` on the schedule the
domain builds (and extends), and plain Python sums — and for the last date the day states and every
loan's cached figures equal it too.

Also: a close of a past date counts the loans that left the books since (settled five days later,
written off later) — the close used to read only the loans active today.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.loans import servicing as svc
from microcredit.apps.loans.models import Loan
from microcredit.apps.loans.services import loan_open
from microcredit.apps.monitoring import close as close_module
from microcredit.apps.monitoring.close import close_through
from microcredit.apps.monitoring.models import Aggregate, LoanDayState
from microcredit.batch.basis import next_due_date
from microcredit.domain.classification import NPL_CLASSES
from microcredit.domain.errors import DomainError
from microcredit.domain.monitoring import warning_light
from microcredit.domain.restructuring import extend
from microcredit.domain.schedules import METHODS, LoanTerms, Schedule, build_schedule
from microcredit.domain.servicing import LoanState, Payment, loan_state, settlement_quote
from tests.factories import make_bank, make_household, make_region_tree, make_user

pytestmark = pytest.mark.django_db

START = dt.date(2025, 3, 1)
DAILY_UNTIL = dt.date(2025, 3, 31)
END = dt.date(2026, 2, 28)
LEVELS = {"village": 12, "township": 9, "county": 6}
STATE_FIELDS = ("days_past_due", "classification", "principal_outstanding", "overdue_principal",
                "overdue_interest", "penalty_owed", "advance", "next_due_date")


@dataclass
class Ref:
    """What the test knows of one loan, from what it posted (never from the loans app's cache)."""

    loan: Loan
    terms: LoanTerms
    schedule: Schedule
    behaviour: str
    lag: int
    payments: list = field(default_factory=list)  # [(Payment, event id)]
    written_off: dt.date | None = None
    extended: bool = False

    def pays(self) -> list[Payment]:
        return [p for p, _ in self.payments]

    def state(self, day: dt.date) -> LoanState:
        return loan_state(self.schedule, self.terms, self.pays(), day)

    def on_books(self, day: dt.date) -> bool:
        if day < self.terms.disbursed_on or (self.written_off is not None and self.written_off <= day):
            return False
        return self.state(day).closed_on is None  # paid off on or before the day: off the books


class World:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.tree = make_region_tree()
        self.banks = [make_bank(), make_bank("ABC", "中国农业银行卢氏支行")]
        self.officer = make_user("bank_officer", scope_regions=[self.tree.county.prefix], bank=self.banks[0])
        self.refs: list[Ref] = []
        self.wrote_off = self.extended = False

    def open(self, disbursed: dt.date, *, method: str | None = None, months: int | None = None,
             behaviour: str | None = None) -> Ref:
        rng = self.rng
        terms = LoanTerms(rng.choice([500000, 1000000, 3000000, 5000000, 1234567]),
                          Decimal(rng.choice(["4.35", "4.75", "3.45", "3.85"])), disbursed,
                          months or rng.choice([6, 12, 24]), method or rng.choice(METHODS))
        hh = make_household(rng.choice(self.tree.villages))
        loan = loan_open(household=hh, borrower=hh.members.first(), bank=rng.choice(self.banks),
                         principal=terms.principal, annual_rate=terms.annual_rate, cap_rate=Decimal("4.75"),
                         disbursed_on=disbursed, term_months=terms.term_months, method=terms.method,
                         policy_era="2021", actor=self.officer)
        behaviour = behaviour or rng.choice(["on_time", "on_time", "late", "partial", "advance", "none", "settle"])
        ref = Ref(loan, terms, build_schedule(terms), behaviour, rng.randrange(3, 70))
        self.refs.append(ref)
        return ref

    # ------------------------------------------------------------ events of one day (posted on ``day``)

    def repay(self, ref: Ref, day: dt.date, amount: int) -> None:
        event, _ = svc.repayment_post(loan=ref.loan.pk, amount=amount, on=day, actor=self.officer)
        ref.payments.append((Payment(day, amount), event.pk))

    def settle(self, ref: Ref, day: dt.date) -> None:
        quote = settlement_quote(ref.schedule, ref.terms, ref.pays(), day)
        event = svc.settlement_post(loan=ref.loan.pk, on=day, actor=self.officer)
        assert event.amount == quote.total
        ref.payments.append((Payment(day, quote.total, "settlement"), event.pk))

    def events_of(self, day: dt.date, business: dt.date) -> None:
        """Random servicing dated ``day`` (the business date is ``business`` ≥ ``day``)."""
        rng = self.rng
        for ref in self.refs:
            if not ref.on_books(day) or day <= ref.terms.disbursed_on:
                continue
            for inst in ref.schedule.installments:
                b = ref.behaviour
                if b == "none" or rng.random() < 0.08:
                    continue
                shift = {"on_time": 0, "late": ref.lag, "partial": ref.lag // 4, "advance": -5,
                         "settle": 0}[b]
                if inst.due_date + dt.timedelta(days=shift) != day:
                    continue
                amount = inst.amount
                if b == "partial":
                    amount = max(1, amount * rng.randrange(20, 130) // 100)
                elif b == "advance":
                    amount += rng.randrange(0, 50000)
                self.repay(ref, day, amount)
            state = ref.state(day)
            if state.closed_on is not None:
                continue
            if ref.behaviour == "settle" and rng.random() < 0.01:
                self.settle(ref, day)
            elif rng.random() < 0.0015:
                self.settle(ref, day)
            elif not self.wrote_off and state.days_past_due > 30 and rng.random() < 0.05:
                svc.loan_write_off(loan=ref.loan.pk, on=day, actor=self.officer, reason="测试：核销")
                ref.written_off, self.wrote_off = day, True
            elif not self.extended and ref.behaviour == "on_time" and state.days_past_due == 0 \
                    and rng.random() < 0.02:
                self.try_extend(ref, day)
        if rng.random() < 0.04:
            self.reverse_one(day, business)
        if rng.random() < 0.03:
            self.open(day)

    def try_extend(self, ref: Ref, day: dt.date) -> None:
        try:
            svc.loan_extend(loan=ref.loan.pk, on=day, actor=self.officer, extra_months=6, decision="测试：展期")
        except DomainError:
            return
        ref.terms, ref.schedule = extend(ref.terms, ref.schedule, ref.pays(), on=day, extra_months=6,
                                         original_term_months=ref.terms.term_months)
        ref.extended = self.extended = True

    def reverse_one(self, day: dt.date, business: dt.date) -> None:
        """Reverse a recent payment (up to ten days back: often of a date already closed — stale)."""
        recent = [(ref, k) for ref in self.refs if ref.written_off is None
                  for k, (p, _) in enumerate(ref.payments) if day - dt.timedelta(days=10) <= p.date <= day
                  and k == len(ref.payments) - 1]
        if not recent:
            return
        ref, k = self.rng.choice(recent)
        svc.event_reverse(event=ref.payments[k][1], actor=self.officer, reason="测试：冲正")
        del ref.payments[k]


def reference_aggregates(world: World, day: dt.date) -> dict:
    """The close's aggregates of ``day``, summed here from the reference states (batch.close.aggregates'
    columns: loans with principal outstanding, per village/township/county × all banks/each bank, per bank)."""
    rows: dict = defaultdict(lambda: [0, set(), 0, 0, 0, 0, 0, 0, 0, 0, 0])
    for ref in world.refs:
        if not ref.on_books(day):
            continue
        s = ref.state(day)
        if s.principal_outstanding <= 0:
            continue
        light = light_of(ref, s, day)
        keys = [("bank", "", ref.loan.bank_id)]
        for level, width in LEVELS.items():
            code = ref.loan.region_code[:width]
            keys += [(level, code, 0), (level, code, ref.loan.bank_id)]
        npl = s.classification in NPL_CLASSES
        for key in keys:
            r = rows[key]
            r[0] += 1
            r[1].add(ref.loan.household_id)
            r[2] += s.principal_outstanding
            r[3] += s.principal_outstanding if s.days_past_due > 0 else 0
            r[4] += s.principal_outstanding if npl else 0
            r[5] += s.days_past_due > 0
            r[6] += npl
            r[7] += light == "red"
            r[8] += light == "yellow"
            r[9] += light == "green"
            r[10] += s.penalty_owed
    return {k: (r[0], len(r[1]), *r[2:]) for k, r in rows.items()}


def light_of(ref: Ref, s: LoanState, day: dt.date) -> str:
    nxt = min((i.due_date for i in s.installments
               if i.paid_off_on is None and i.due_date >= day and i.principal_unpaid > 0), default=None)
    return warning_light(s.days_past_due, s.classification, nxt, ref.loan.risk_flag, day)


def stored_aggregates(day: dt.date) -> dict:
    return {(a.level, a.code, a.bank_id): (a.loans, a.households, a.balance, a.overdue_balance, a.npl_balance,
                                           a.overdue_loans, a.npl_loans, a.red, a.yellow, a.green, a.penalty)
            for a in Aggregate.objects.filter(as_of=day)}


def figures(s: LoanState) -> tuple:
    return (s.days_past_due, s.classification, s.principal_outstanding, s.overdue_principal,
            s.overdue_interest, s.penalty_owed, s.advance, next_due_date(s))


def check_last(world: World, day: dt.date) -> None:
    """Day states and loan caches of the latest close equal the reference."""
    cached = {loan.pk: loan for loan in Loan.objects.all()}
    on_books = {ref.loan.pk: ref for ref in world.refs if ref.on_books(day)}
    # An advance 预收 pays the last instalment off on its due date, after the last posting: the loan stays
    # 在贷 in the database until its next refresh (the close does not change a status), so it is still read.
    on_books |= {ref.loan.pk: ref for ref in world.refs if ref.written_off is None and not ref.on_books(day)
                 and cached[ref.loan.pk].status == "active" and day >= ref.terms.disbursed_on}
    states = {d.loan_id: d for d in LoanDayState.objects.all()}
    assert set(states) == set(on_books), day
    for pk, ref in on_books.items():
        want = ref.state(day)
        d = states[pk]
        assert d.as_of <= day  # rows are rewritten only when a figure changes
        got = tuple(getattr(d, f) for f in STATE_FIELDS)
        assert got == figures(want), (day, pk, ref.behaviour, ref.payments)
        assert d.warning_light == light_of(ref, want, day), (day, pk)
        loan = cached[pk]
        if loan.status == "active":  # the close rewrites only figures that changed: state_as_of may be older
            assert tuple(getattr(loan, f) for f in STATE_FIELDS) == figures(want), (day, pk)
            assert loan.state_as_of <= day
    for ref in world.refs:  # settled loans: status and closing day as the events say
        loan = cached[ref.loan.pk]
        if ref.written_off is not None:
            assert loan.status == "written_off"
        elif (closed := ref.state(day).closed_on) is not None:
            assert (loan.status, loan.closed_on) in {("settled", closed), ("active", None)}, ref.loan.pk
        else:
            assert (loan.status, loan.closed_on) == ("active", None), ref.loan.pk


def close_and_check(world: World, day: dt.date) -> int:
    runs = close_through(day)
    assert runs and runs[-1].business_date == day and all(r.status == "done" for r in runs)
    for run in runs:
        assert stored_aggregates(run.business_date) == reference_aggregates(world, run.business_date), run.business_date
    check_last(world, day)
    return len(runs)


def test_a_year_of_closes_with_random_events_equals_the_domain(monkeypatch):
    # The apps' after-close hooks (collection cases, indicators, reminders; core.panels) have their own
    # tests and took three quarters of this one's time: the close's figures are what is checked here.
    monkeypatch.setattr(close_module, "after_close", lambda day: None)
    world = World(seed=15)
    with pinned_business_date(START):
        for k in range(36):
            world.open(START - dt.timedelta(days=world.rng.randrange(1, 500)), method=METHODS[k % len(METHODS)])
    closed, stale_reruns, day = None, 0, START
    while day <= END:
        with pinned_business_date(day):
            first = closed + dt.timedelta(days=1) if closed else day
            d = first
            while d <= day:
                world.events_of(d, day)
                d += dt.timedelta(days=1)
            runs = close_and_check(world, day)
            stale_reruns += runs - (day - first).days - 1
        closed = day
        day += dt.timedelta(days=1 if day < DAILY_UNTIL else 7)
    # The year exercised what it is for.
    kinds = {ref.behaviour for ref in world.refs}
    assert {"on_time", "late", "partial", "advance"} <= kinds
    assert world.wrote_off and world.extended
    assert any(ref.payments and ref.payments[-1][0].kind == "settlement" for ref in world.refs)
    assert stale_reruns > 0  # reversals of closed dates made closes stale; they were closed again


def test_close_of_a_past_date_counts_loans_that_left_the_books_since():
    """Close D after a loan was settled on D+5, another written off on D+3 and a third renewed on D+2:
    D's figures include all three (and the renewal's new loan from D+2 on)."""
    world = World(seed=1)
    day = dt.date(2025, 6, 10)
    with pinned_business_date(dt.date(2025, 1, 1)):
        settled = world.open(dt.date(2025, 1, 1), method="equal_installment", months=12, behaviour="none")
        written = world.open(dt.date(2025, 1, 1), method="bullet", months=6, behaviour="none")
        kept = world.open(dt.date(2025, 1, 1), method="interest_monthly", months=12, behaviour="none")
        renewed = world.open(dt.date(2025, 1, 1), method="interest_quarterly", months=12, behaviour="none")
    with pinned_business_date(day - dt.timedelta(days=1)):
        close_through(day - dt.timedelta(days=1))
    later = day + dt.timedelta(days=5)
    with pinned_business_date(later):
        world.settle(settled, later)
        svc.loan_write_off(loan=written.loan.pk, on=day + dt.timedelta(days=3), actor=world.officer, reason="测试")
        written.written_off = day + dt.timedelta(days=3)
        on = day + dt.timedelta(days=2)
        quote = settlement_quote(renewed.schedule, renewed.terms, renewed.pays(), on)
        new = svc.loan_renew(loan=renewed.loan.pk, on=on, new_term_months=12, actor=world.officer, decision="测试")
        renewed.payments.append((Payment(on, quote.total, "settlement"), 0))
        terms = LoanTerms(new.principal, new.annual_rate, on, new.term_months, new.method)
        world.refs.append(Ref(new, terms, build_schedule(terms), "none", 0))
        runs = close_through(later)  # catches up D … D+5 in order
    assert [r.business_date for r in runs][0] == day
    county = Aggregate.objects.get(as_of=day, level="county", code=world.tree.county.prefix[:6], bank_id=0)
    assert county.loans == 4
    assert county.balance == sum(r.state(day).principal_outstanding for r in (settled, written, kept, renewed))
    assert Loan.objects.get(pk=renewed.loan.pk).status == "renewed"
    for run in runs:
        assert stored_aggregates(run.business_date) == reference_aggregates(world, run.business_date)
    after = Aggregate.objects.get(as_of=later, level="county", code=world.tree.county.prefix[:6], bank_id=0)
    assert after.loans == 2
    assert set(LoanDayState.objects.values_list("loan_id", flat=True)) == {kept.loan.pk, new.pk}
