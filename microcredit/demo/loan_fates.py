"""What happened to each demo loan after disbursement: a county that follows up its overdue loans.

Real counties run at 不良率 well under 2–3 % because overdue loans are followed up (DOMAIN §7, §8):
most late instalments are caught up with penalty interest (罚息, §5.3), long defaults are collected
or claimed from the risk fund and written off, some borrowers settle early (提前结清), and only a
small, recent part of the book is overdue or non-performing. The generator therefore plans the
whole portfolio first and then gives each loan a **fate**:

* ``on_time`` — every instalment paid on its due date (most loans);
* ``late`` — one or two instalments paid 3–60 days late, with penalty, then on time again;
* ``collected`` — stopped paying, collected 60–400 days later (everything overdue + penalty);
* ``settled`` — paid on time, then settled early;
* ``written_off`` — stopped paying long ago; the "servicing" step files the risk-fund claim,
  pays it (fund/bank sharing) and writes the loan off;
* ``npl`` — stopped paying 100–540 days ago and still owing (次级/可疑/损失): concentrated in a
  handful of villages (so the village breaker of §8 is visible there) and elsewhere kept well
  below the 5 % village and 3 % bank thresholds;
* ``overdue`` — missed a due date in the last 80 days (关注).

Loans of one household never overlap: a fate may not end a loan after the household's next loan
starts, and only a household's last loan can end unpaid. Pure functions of the plans and the
seeded ``random.Random``; no database.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

from microcredit.demo.context import HouseholdRef
from microcredit.domain.schedules import LoanTerms, Schedule
from microcredit.domain.servicing import LoanState, Payment, loan_state, settlement_payment, settlement_quote

SHARE_LATE = 0.06
SHARE_COLLECTED = 0.025
SHARE_SETTLED = 0.03
SHARE_WRITTEN_OFF = 0.004
MIN_WRITTEN_OFF = 3
NPL_TARGET = (0.010, 0.014)          # share of the live balance that ends non-performing
OVERDUE_TARGET = (0.006, 0.010)      # share of the live balance overdue 1–80 days (on top of NPL)
PROBLEM_VILLAGE_SHARE = 0.03         # villages pushed above the 5 % breaker (≤ 5 % of villages)
PROBLEM_VILLAGE_NPL = (0.07, 0.14)
PROBLEM_VILLAGE_CAP = 0.18           # one big loan in a small village does not make it 30 %
VILLAGE_NPL_CAP = 0.035              # elsewhere: well below the 5 % village breaker
BANK_NPL_CAP = 0.022                 # well below the 3 % bank breaker
MIN_TOWNSHIP_VILLAGES = 4            # one stopped village stays under the township's 30 %
NPL_DAYS = (100, 540)
OVERDUE_DAYS = (1, 80)
WRITE_OFF_AFTER = 160                # the claim (≥ 90 days overdue), notice and payout take this long
CAUSES = ("death", "labour_loss", "disaster")
FATES = ("on_time", "late", "collected", "settled", "written_off", "npl", "overdue")
UNPAID = ("npl", "overdue", "written_off")


@dataclass
class LoanPlan:
    """One demo loan: its terms and what happened to it (``fate`` and its dates)."""

    ref: HouseholdRef
    bank: Any
    era: str
    terms: LoanTerms
    schedule: Schedule
    number: str
    days_to_money: int
    industry: str
    purpose: str
    account: str
    next_start: dt.date | None = None
    borrower_id: int | None = None  # a member other than the head (demo.origination._borrowers_of_age)
    fate: str = "on_time"
    stop: dt.date | None = None
    catch_ups: tuple[tuple[dt.date, dt.date], ...] = ()
    settled_on: dt.date | None = None
    cause: str = ""

    @property
    def village(self) -> str:
        return self.ref.village_code

    @property
    def borrower(self) -> int:
        """The member who borrows: the head, unless another member was chosen."""
        return self.borrower_id or self.ref.head_member_id

    def dues(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """Due dates between ``first`` and ``last`` inclusive."""
        return [i.due_date for i in self.schedule.installments if first <= i.due_date <= last]

    def outstanding_on_time(self, today: dt.date) -> int:
        """Principal outstanding on ``today`` had every instalment been paid on time."""
        return self.terms.principal - sum(i.principal for i in self.schedule.installments if i.due_date <= today)

    def outstanding_unpaid_since(self, stop: dt.date) -> int:
        """Principal outstanding when nothing was paid from ``stop`` on."""
        return self.terms.principal - sum(i.principal for i in self.schedule.installments if i.due_date < stop)

    def live(self, today: dt.date) -> bool:
        """Disbursed and not yet at maturity on ``today`` (a loan of the current book)."""
        return self.terms.disbursed_on <= today < self.schedule.maturity_date

    def ends_on(self) -> dt.date:
        """The day the loan leaves the household (date.max when it ends unpaid)."""
        if self.fate in UNPAID:
            return dt.date.max
        if self.fate == "settled":
            return self.settled_on
        return max([self.schedule.maturity_date, *(c for _, c in self.catch_ups)])


# ---------------------------------------------------------------- payment histories (pure)

class Posted:
    """A payment of the history and what it paid (for the receipt)."""

    __slots__ = ("payment", "allocation", "quote")

    def __init__(self, payment: Payment, allocation: dict | None = None, quote: dict | None = None):
        self.payment, self.allocation, self.quote = payment, allocation, quote


def _allocation(before: LoanState, after: LoanState) -> dict:
    return {"penalty": after.penalty_paid - before.penalty_paid, "interest": after.interest_paid - before.interest_paid,
            "principal": after.principal_paid - before.principal_paid, "advance": after.advance - before.advance}


def history(plan: LoanPlan, today: dt.date) -> list[Posted]:
    """The payments of a loan up to ``today`` according to its fate (DOMAIN §5.3)."""
    schedule, terms = plan.schedule, plan.terms
    due = [i for i in schedule.installments if i.due_date <= today]
    if plan.fate in UNPAID:
        return [Posted(Payment(i.due_date, i.amount)) for i in due if i.due_date < plan.stop]
    if plan.fate == "settled":
        out = [Posted(Payment(i.due_date, i.amount)) for i in due if i.due_date <= plan.settled_on]
        quote = settlement_quote(schedule, terms, [p.payment for p in out], plan.settled_on)
        return [*out, Posted(settlement_payment(quote), quote=quote._asdict() | {"on": quote.on.isoformat()})]
    catch = dict(plan.catch_ups)
    out: list[Posted] = []
    k = 0
    while k < len(due):
        inst = due[k]
        on = catch.get(inst.due_date)
        if on is None:
            out.append(Posted(Payment(inst.due_date, inst.amount)))
            k += 1
            continue
        # caught up on ``on``: everything overdue, its penalty, and what falls due that day
        paid = [p.payment for p in out]
        before = loan_state(schedule, terms, paid, on)
        due_that_day = sum(s.principal_unpaid + s.interest_unpaid for s in before.installments if s.due_date == on)
        amount = (before.overdue_principal + before.overdue_interest + before.penalty_owed + due_that_day
                  - before.advance)
        after = loan_state(schedule, terms, [*paid, Payment(on, amount)], on)
        out.append(Posted(Payment(on, amount), allocation=_allocation(before, after)))
        while k < len(due) and due[k].due_date <= on:
            k += 1
    return out


# ---------------------------------------------------------------- fates (pure, seeded)

def assign_fates(plans: list[LoanPlan], *, today: dt.date, rng: random.Random,
                 villages_per_township: dict[str, int], protected: Iterable[str] = ()) -> dict[str, Any]:
    """Give every plan its fate; returns the planned figures (estimates, for the log).

    ``villages_per_township``: all villages of each township (9-digit code), to pick the problem
    villages where one stopped village stays under the township breaker. ``protected``: villages
    that must stay lendable (the demo clerk's): never a problem village.
    """
    n = len(plans)
    _written_off(plans, today, rng, max(MIN_WRITTEN_OFF, round(n * SHARE_WRITTEN_OFF)))
    _settled(plans, today, rng, round(n * SHARE_SETTLED))
    _collected(plans, today, rng, round(n * SHARE_COLLECTED))
    _late(plans, today, rng, round(n * SHARE_LATE))
    return _current_book(plans, today, rng, villages_per_township, set(protected))


def _pick(plans: list[LoanPlan], rng: random.Random, want: int, fits) -> int:
    """Give ``want`` on-time plans (in random order) a fate; ``fits(plan)`` sets it or says no."""
    order = [p for p in plans if p.fate == "on_time"]
    rng.shuffle(order)
    done = 0
    for p in order:
        if done >= want:
            break
        done += bool(fits(p))
    return done


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _written_off(plans, today, rng, want) -> None:
    def fits(p: LoanPlan) -> bool:
        if p.next_start is not None:
            return False
        dues = p.dues(p.terms.disbursed_on, today - _days(WRITE_OFF_AFTER))
        if not dues:
            return False
        p.fate, p.stop, p.cause = "written_off", rng.choice(dues), rng.choice(CAUSES)
        return True

    _pick(plans, rng, want, fits)


def _settled(plans, today, rng, want) -> None:
    def fits(p: LoanPlan) -> bool:
        first = p.terms.disbursed_on + _days(60)
        last = min(p.schedule.maturity_date, today) - _days(1)
        if last < first:
            return False
        p.fate, p.settled_on = "settled", first + _days(rng.randint(0, (last - first).days))
        return True

    _pick(plans, rng, want, fits)


def _catch_up(p: LoanPlan, missed: dt.date, on: dt.date, today: dt.date) -> dt.date | None:
    """The catch-up day, moved before the household's next loan and today; None if impossible."""
    on = min(on, today - _days(1))
    if p.next_start is not None and on >= p.next_start:
        on = p.next_start - _days(1)
    return on if on > missed else None


def _collected(plans, today, rng, want) -> None:
    def fits(p: LoanPlan) -> bool:
        dues = p.dues(p.terms.disbursed_on, today - _days(61))
        if not dues:
            return False
        missed = rng.choice(dues)
        on = _catch_up(p, missed, missed + _days(rng.randint(60, 400)), today)
        if on is None or (on - missed).days < 30:
            return False
        p.fate, p.catch_ups = "collected", ((missed, on),)
        return True

    _pick(plans, rng, want, fits)


def _late(plans, today, rng, want) -> None:
    def fits(p: LoanPlan) -> bool:
        dues = p.dues(p.terms.disbursed_on, today - _days(4))
        if not dues:
            return False
        catch = []
        for missed in sorted(rng.sample(dues, min(len(dues), rng.choice((1, 1, 2))))):
            on = _catch_up(p, missed, missed + _days(rng.randint(3, 60)), today)
            if on is not None and (not catch or missed > catch[-1][1]):
                catch.append((missed, on))
        if not catch:
            return False
        p.fate, p.catch_ups = "late", tuple(catch)
        return True

    _pick(plans, rng, want, fits)


def _current_book(plans, today, rng, villages_per_township, protected) -> dict[str, Any]:
    """Choose the loans overdue and non-performing today, within the breaker thresholds (§8)."""
    live = [p for p in plans if p.live(today) and p.fate not in UNPAID and p.fate != "settled"]
    village_bal: dict[str, int] = defaultdict(int)
    bank_bal: dict[str, int] = defaultdict(int)
    for p in live:
        village_bal[p.village] += p.outstanding_on_time(today)
        bank_bal[p.bank.code] += p.outstanding_on_time(today)
    total = sum(village_bal.values())
    npl_v: dict[str, int] = defaultdict(int)
    npl_b: dict[str, int] = defaultdict(int)
    npl_total = 0
    candidates = [p for p in live if p.fate == "on_time"]
    rng.shuffle(candidates)

    def make_npl(p: LoanPlan, cap: float | None) -> bool:
        nonlocal npl_total
        dues = p.dues(today - _days(NPL_DAYS[1]), today - _days(NPL_DAYS[0]))
        if p.fate != "on_time" or not dues:
            return False
        stop = rng.choice(dues)
        amount = p.outstanding_unpaid_since(stop)
        grows = amount - p.outstanding_on_time(today)  # unpaid instalments stay in the balance
        b, v = p.bank.code, p.village
        if (npl_b[b] + amount) > BANK_NPL_CAP * (bank_bal[b] + grows):
            return False
        if cap is not None and (npl_v[v] + amount) > cap * (village_bal[v] + grows):
            return False
        p.fate, p.stop = "npl", stop
        p.cause = rng.choice(CAUSES) if rng.random() < 0.6 else ""
        npl_v[v] += amount
        npl_b[b] += amount
        village_bal[v] += grows
        bank_bal[b] += grows
        npl_total += amount
        return True

    # a handful of problem villages, each in its own (large enough) township
    townships = sorted(t for t, k in villages_per_township.items() if k >= MIN_TOWNSHIP_VILLAGES)
    k = min(round(len(village_bal) * PROBLEM_VILLAGE_SHARE), len(townships))
    problem: list[str] = []
    for township in rng.sample(townships, len(townships)):
        if len(problem) >= k:
            break
        options = sorted(v for v in village_bal if v.startswith(township) and v not in protected)
        if options:
            problem.append(rng.choice(options))
    for v in problem:
        ratio = rng.uniform(*PROBLEM_VILLAGE_NPL)
        for p in candidates:
            if p.village == v and npl_v[v] <= ratio * village_bal[v]:
                make_npl(p, PROBLEM_VILLAGE_CAP)
    target = rng.uniform(*NPL_TARGET) * total
    for p in candidates:
        if npl_total >= target:
            break
        if p.village not in problem:
            make_npl(p, VILLAGE_NPL_CAP)
    overdue_target, overdue = rng.uniform(*OVERDUE_TARGET) * total, 0
    for p in candidates:
        if overdue >= overdue_target:
            break
        dues = p.dues(today - _days(OVERDUE_DAYS[1]), today - _days(OVERDUE_DAYS[0]))
        if p.fate == "on_time" and dues:
            p.fate, p.stop = "overdue", rng.choice(dues)
            overdue += p.outstanding_unpaid_since(p.stop)
    return {"balance": total, "npl": npl_total, "overdue": overdue, "problem_villages": problem}
