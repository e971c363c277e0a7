"""Demo step "loans": ~8,000 loans disbursed 2016–2026 across the policy eras (county scale, pro rata
for others), each with its application (five transitions + disbursement), schedule, repayment
events up to today and cached state; then applications standing in every workflow state.

What happened to each loan (on time, late and caught up with penalty, collected, settled early,
written off, non-performing or overdue today) is planned first for the whole book
(``demo.loan_fates``), so the county ends with the figures of one that follows up its overdue
loans. Irregular histories go through the domain engine (``domain.servicing.loan_state`` and
``batch.basis.basis_of``, as ``loans.servicing.loan_refresh_state`` would). A household never has
two loans 在贷 at once (DOMAIN §4).

Bulk-created for speed (like loans.services.loan_open would, but without one audit row per
loan; the run's summary audit row covers them). Same seed → same data.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

import microcredit.demo.origination_ratings  # noqa: F401  (registers "ratings" first)
from microcredit.apps.households.models import Household, Member
from microcredit.apps.loans.models import EventKind, Installment, Loan, LoanEvent
from microcredit.apps.origination import services
from microcredit.apps.origination.models import LoanApplication, WorkflowTransition
from microcredit.apps.rating.models import Rating
from microcredit.batch.basis import basis_of, next_due_date
from microcredit.demo.context import DemoContext
from microcredit.demo.loan_fates import FATES, LoanPlan, Posted, assign_fates, history
from microcredit.demo.origination_insert import fast_insert
from microcredit.domain.guards import luhn_check_digit
from microcredit.domain.identity import age_on
from microcredit.domain.policy import PolicyTerms
from microcredit.domain.rates import SHIPPED_RATES, cap_rate
from microcredit.domain.schedules import LoanTerms, build_schedule
from microcredit.domain.servicing import loan_state

LOANS_PER_HOUSEHOLD = 8000 / 20000
FIRST_DAY = dt.date(2016, 1, 1)
CHUNK = 2000
ERA_2026_CAP = Decimal("3.0000")
CHAIN = [("village_review", "submit", "village_station"), ("township_review", "approve", "village_station"),
         ("county_review", "approve", "township_station"), ("bank_review", "approve", "county_office"),
         ("approved", "approve", "bank_officer")]
INDUSTRIES = [("养殖", "养殖滩羊"), ("养殖", "养殖肉牛"), ("种植", "种植香菇"), ("种植", "种植核桃"),
              ("农产品加工", "粉条加工作坊"), ("商贸流通", "农资小店进货"), ("乡村旅游", "农家乐改造")]


def _card_number(serial: int) -> str:
    """A 19-digit UnionPay card number that passes the checks a clerk's entry must (domain.guards)."""
    body = f"62300{serial:013d}"
    return body + luhn_check_digit(body)


MIN_AGE, MAX_AGE = PolicyTerms._field_defaults["min_age"], PolicyTerms._field_defaults["max_age"]  # the eras' ages


def _era(day: dt.date) -> tuple[str, tuple[str, ...]]:
    if day < dt.date(2021, 1, 1):
        return "fupin2014", ("poor", "exited")
    if day < dt.date(2026, 1, 1):
        return "tuopin2021", ("poor", "exited", "edge", "monitored")
    return "bangfu2026", ("poor", "exited", "edge", "monitored", "general")


def _method(rng, term: int) -> str:
    r = rng.random()
    if r < 0.70:
        return "interest_quarterly"
    if r < 0.85:
        return "equal_installment"
    if r < 0.95 or term > 12:
        return "interest_monthly"
    return "bullet"


class _Current(NamedTuple):
    """The state of a loan paid exactly on every due date so far (no need to run the engine)."""

    principal_outstanding: int
    closed_on: dt.date | None
    overdue_principal: int = 0
    overdue_interest: int = 0
    penalty_owed: int = 0
    advance: int = 0
    days_past_due: int = 0
    classification: str = "normal"


def _on_time_state(terms, paid) -> _Current:
    """Cached state of a loan whose instalments ``paid`` were all paid on their due dates."""
    outstanding = terms.principal - sum(i.principal for i in paid)
    return _Current(outstanding, paid[-1].due_date if outstanding == 0 and paid else None)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _borrowers_of_age(plans: list[LoanPlan], refs: list) -> None:
    """The era's ages (DOMAIN §4: 18–65 on the loan's day) without a draw from the generator, so the demo's
    figures do not move: a household whose head is outside them borrows through its oldest member within
    them; a household with nobody of age gives the loan to the next household in the registry that may
    borrow that day and has no loan over its life (`_rehome`)."""
    old = {p.ref.id for p in plans if not MIN_AGE <= age_on(p.ref.head_birth, p.terms.disbursed_on) <= MAX_AGE}
    members: dict[int, list[tuple[dt.date, int]]] = {}
    for household_id, member_id, birth in (Member.objects.filter(household_id__in=old).exclude(relation="head")
                                           .order_by("birth_date", "id")
                                           .values_list("household_id", "id", "birth_date")):
        members.setdefault(household_id, []).append((birth, member_id))
    homeless = []
    for plan in plans:
        if plan.ref.id in old:
            day = plan.terms.disbursed_on
            plan.borrower_id = next((m for birth, m in members.get(plan.ref.id, ())
                                     if MIN_AGE <= age_on(birth, day) <= MAX_AGE), None)
            if plan.borrower_id is None:
                homeless.append(plan)
    if homeless:
        _rehome(homeless, plans, refs)


def _rehome(homeless: list[LoanPlan], plans: list[LoanPlan], refs: list) -> None:
    spans: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for p in plans:
        spans.setdefault(p.ref.id, []).append((p.terms.disbursed_on, p.schedule.maturity_date))
    position = {r.id: n for n, r in enumerate(refs)}
    for plan in homeless:
        start, end = plan.terms.disbursed_on, plan.schedule.maturity_date
        statuses = _era(start)[1]
        here = position.get(plan.ref.id, 0)
        for ref in refs[here + 1:] + refs[:here]:
            if (ref.status in statuses and MIN_AGE <= age_on(ref.head_birth, start) <= MAX_AGE
                    and all(e < start or s > end for s, e in spans.get(ref.id, ()))):
                spans[plan.ref.id].remove((start, end))
                plan.ref = ref
                spans.setdefault(ref.id, []).append((start, end))
                break
        plan.next_start = min((s for s, _ in spans[plan.ref.id] if s > start), default=None)
        for p in plans:  # the household's earlier loans end before this one starts
            if p.ref.id == plan.ref.id and p is not plan and p.terms.disbursed_on < start:
                p.next_start = min(p.next_start or start, start)


def create_loans(ctx: DemoContext) -> None:

    rng, today = ctx.rng, ctx.business_date
    plans = _plan_loans(ctx)
    if not plans:
        return
    _borrowers_of_age(plans, [r for r in ctx.households if not r.is_wubao and r.head_member_id])
    clerk = ctx.users.get("village")
    per_township: dict[str, int] = {}
    for v in ctx.villages:
        per_township[v.code[:9]] = per_township.get(v.code[:9], 0) + 1
    figures = assign_fates(plans, today=today, rng=rng, villages_per_township=per_township,
                           protected=clerk.scope_regions if clerk else ())
    ctx.log(f"  loans: 计划在贷余额 {figures['balance'] / 100:,.0f} 元，不良 {figures['npl'] / 100:,.0f} 元，"
            f"逾期 {figures['overdue'] / 100:,.0f} 元，问题村 {len(figures['problem_villages'])} 个")

    loans, insts, events, apps, trans = [], [], [], [], []
    for plan in plans:
        loan, rows, posted = _loan_row(plan, today)
        loans.append((loan, rows, posted, plan))
    Loan.objects.bulk_create([x[0] for x in loans], batch_size=CHUNK)
    if loans and loans[0][0].pk is None:
        ids = dict(Loan.objects.filter(number__in=[x[0].number for x in loans]).values_list("number", "id"))
        for x in loans:
            x[0].pk = x[0].id = ids[x[0].number]
    for loan, rows, posted, plan in loans:
        insts.extend(dict(row, loan_id=loan.pk, schedule_version=1) for row in rows)
        events.extend(_events(loan, posted, EventKind))
        dtm, ref = plan.days_to_money, plan.ref
        applied = loan.disbursed_on - dt.timedelta(days=dtm)
        apps.append(LoanApplication(
            number=f"SQ{loan.number}", household_id=ref.id, borrower_id=plan.borrower, region_code=ref.village_code,
            bank=loan.bank, policy_era=loan.policy_era, applied_on=applied, amount=loan.principal,
            term_months=loan.term_months, usage_mode="self", industry=loan.industry, purpose=loan.purpose,
            state="disbursed", state_entered_on=loan.disbursed_on, submitted_at=_at(applied),
            approved_on=loan.disbursed_on - dt.timedelta(days=max(0, dtm // 4)), loan=loan,
            disbursed_on=loan.disbursed_on, days_to_money=dtm))
    fast_insert(Installment, insts)
    fast_insert(LoanEvent, events)
    LoanApplication.objects.bulk_create(apps, batch_size=CHUNK)
    if apps and apps[0].pk is None:
        ids = dict(LoanApplication.objects.filter(number__in=[a.number for a in apps]).values_list("number", "id"))
        for a in apps:
            a.pk = a.id = ids[a.number]
    for a in apps:
        step = max(1, a.days_to_money // 6)
        state, on = "draft", a.applied_on
        for nxt, action, role in CHAIN:
            trans.append(dict(application_id=a.pk, from_state=state, action=action, to_state=nxt, actor_role=role,
                              on=min(on, a.disbursed_on), at=_at(min(on, a.disbursed_on)), opinion="同意"))
            state, on = nxt, on + dt.timedelta(days=step)
        trans.append(dict(application_id=a.pk, from_state="approved", action="disburse", to_state="disbursed",
                          actor_role="bank_officer", on=a.disbursed_on, at=_at(a.disbursed_on, 15),
                          opinion=f"借据 {a.loan.number}"))
    fast_insert(WorkflowTransition, trans)
    ctx.count("loans", len(loans))
    ctx.count("installments", len(insts))
    ctx.count("loan_applications", len(apps))
    for fate in FATES:
        ctx.count(f"loans_{fate}", sum(1 for p in plans if p.fate == fate))
    ctx.extra["loans"] = {  # for the "servicing" step: which loans it writes off, which it may touch
        "fates": {loan.pk: plan.fate for loan, _, _, plan in loans},
        "stops": {loan.pk: plan.stop for loan, _, _, plan in loans if plan.stop is not None},
    }
    busy_until = {}
    for p in plans:  # plans of a household come in time order: the last one wins
        busy_until[p.ref.id] = p.ends_on()
    _applications_in_every_state(ctx, busy_until)


def _plan_loans(ctx: DemoContext) -> list[LoanPlan]:
    """The loans, 2016 to the business date: who borrowed when, from which bank, on what terms.

    A household's loans follow each other: the next one starts after the previous one's
    maturity (``next_start`` remembers when, so a later fate never makes them overlap).
    """
    rng, today = ctx.rng, ctx.business_date
    refs = [r for r in ctx.households if not r.is_wubao and r.head_member_id]
    if not refs or not ctx.banks:
        return []
    n_loans = round(len(ctx.households) * LOANS_PER_HOUSEHOLD)
    span = (today - dt.timedelta(days=20) - FIRST_DAY).days
    busy_until: dict[int, dt.date] = {}
    last_plan: dict[int, LoanPlan] = {}
    numbers: dict[tuple[str, dt.date], int] = {}
    plans = []
    for _ in range(n_loans):
        day = FIRST_DAY + dt.timedelta(days=rng.randint(0, span))
        era, statuses = _era(day)
        for _try in range(20):
            ref = rng.choice(refs)
            if ref.status in statuses and busy_until.get(ref.id, FIRST_DAY) < day:
                break
        else:
            continue
        term = rng.choice((36, 36, 36, 24, 12, 12))
        method = _method(rng, term)
        bank = ctx.banks[rng.randrange(len(ctx.banks))] if rng.random() < 0.4 else ctx.banks[0]
        amount = rng.randint(2, 10) * 500_000
        rate = cap_rate(day, term, SHIPPED_RATES, ERA_2026_CAP if era == "bangfu2026" else None)
        terms = LoanTerms(amount, rate, day, term, method)
        schedule = build_schedule(terms)
        busy_until[ref.id] = schedule.maturity_date
        key = (bank.code, day)
        numbers[key] = numbers.get(key, 0) + 1
        slow = day.year < 2019
        days_to_money = rng.randint(10, 25) if slow else rng.randint(2, 9)
        industry, purpose = rng.choice(INDUSTRIES)
        plan = LoanPlan(ref, bank, era, terms, schedule, f"{bank.code}{day:%Y%m%d}{numbers[key]:05d}", days_to_money,
                        industry, purpose, _card_number(rng.randint(10_000, 99_999)))
        if ref.id in last_plan:
            last_plan[ref.id].next_start = day
        last_plan[ref.id] = plan
        plans.append(plan)
    return plans


def _events(loan, posted: list[Posted], EventKind) -> list[dict]:
    """The disbursement and payment events of a loan (settlements carry their quote)."""
    out = [dict(loan_id=loan.pk, kind=EventKind.DISBURSEMENT, on=loan.disbursed_on, amount=loan.principal,
                data={"account_number": loan.account_number})]
    for k, p in enumerate(posted, start=1):
        if p.quote is not None:
            out.append(dict(loan_id=loan.pk, kind=EventKind.SETTLEMENT, on=p.payment.date, amount=p.payment.amount,
                            data={"quote": p.quote}, reference=f"DEMO{loan.number}-JQ"))
        else:
            out.append(dict(loan_id=loan.pk, kind=EventKind.REPAYMENT, on=p.payment.date, amount=p.payment.amount,
                            reference=f"DEMO{loan.number}-{k}", data={"allocation": p.allocation} if p.allocation else {}))
    return out


def _loan_row(plan: LoanPlan, today: dt.date):
    """The loan row (with its cached state as of ``today``), its instalment rows and its payments."""

    terms, schedule = plan.terms, plan.schedule
    posted = history(plan, today)
    payments = [p.payment for p in posted]
    if plan.fate == "on_time":
        paid = {i.seq for i in schedule.installments if i.due_date <= today}
        state = _on_time_state(terms, [i for i in schedule.installments if i.seq in paid])
        rows = [dict(seq=i.seq, period_start=i.period_start, due_date=i.due_date, principal=i.principal,
                     interest=i.interest, principal_paid=i.principal if i.seq in paid else 0,
                     interest_paid=i.interest if i.seq in paid else 0, accrued_to=i.due_date,
                     paid_off_on=i.due_date if i.seq in paid else None) for i in schedule.installments]
        unpaid = [i.due_date for i in schedule.installments if i.seq not in paid and i.due_date >= today]
        next_due = min(unpaid) if unpaid and state.closed_on is None else None
        basis_on, basis_advance = max([terms.disbursed_on] + [p.date for p in payments]), 0
    else:
        # irregular histories: the domain engine, like loans.servicing.loan_refresh_state
        state = loan_state(schedule, terms, payments, max(today, terms.disbursed_on))
        basis = basis_of(schedule, terms, payments)
        periods = {i.seq: i.period_start for i in schedule.installments}
        rows = [dict(seq=b.seq, period_start=periods[b.seq], due_date=b.due_date,
                     principal=schedule.installments[b.seq - 1].principal,
                     interest=schedule.installments[b.seq - 1].interest, principal_paid=b.principal_paid,
                     interest_paid=b.interest_paid, penalty_paid=b.penalty_paid, penalty_fen_days=b.fen_days,
                     accrued_to=b.accrued_to, paid_off_on=b.paid_off_on) for b in basis.installments]
        next_due = next_due_date(state) if state.closed_on is None else None
        basis_on, basis_advance = basis.on, basis.advance
    closed = state.closed_on is not None
    loan = Loan(
        number=plan.number, household_id=plan.ref.id, borrower_id=plan.borrower, bank=plan.bank,
        region_code=plan.village, policy_era=plan.era, principal=terms.principal, annual_rate=terms.annual_rate,
        cap_rate=terms.annual_rate, subsidy_ratio=Decimal("1"), disbursed_on=terms.disbursed_on,
        term_months=terms.term_months, maturity_date=schedule.maturity_date, method=terms.method,
        industry=plan.industry, purpose=plan.purpose, account_number=plan.account,
        status="settled" if closed else "active", state_as_of=today,
        principal_outstanding=state.principal_outstanding, overdue_principal=state.overdue_principal,
        overdue_interest=state.overdue_interest, penalty_owed=state.penalty_owed, advance=state.advance,
        days_past_due=state.days_past_due, classification=state.classification, next_due_date=next_due,
        closed_on=state.closed_on, basis_on=basis_on, basis_advance=basis_advance, risk_flag=plan.cause,
    )
    return loan, rows, posted


STAND_IN = [  # (how many steps taken, label); the clerk's village first
    (0, "draft"), (1, "village_review"), (2, "township_review"), (3, "county_review"), (4, "bank_review"),
    (5, "approved"), ("reject", "rejected"), ("withdraw", "withdrawn")]
STAND_IN_UPTO = (2 * len(STAND_IN), 4 * len(STAND_IN), 40)  # cumulative: clerk's village, township, county


def _applications_in_every_state(ctx: DemoContext, busy_until: dict) -> None:

    today = ctx.business_date
    clerk = ctx.users.get("village")
    township = ctx.users.get("township")
    prefer = [p for u in (clerk, township) if u for p in u.scope_regions] + [ctx.county.code[:6]]
    rated = set(Rating.objects.filter(status="effective", grade__gt="", valid_until__gte=today).values_list(
        "household_id", flat=True))
    candidates = []
    # two per state in the clerk's village (its other households stay free to apply), the rest nearby
    for k, (prefix, upto) in enumerate(zip(prefer, STAND_IN_UPTO)):
        households = Household.objects.filter(region_code__startswith=prefix, is_wubao=False)
        for done in prefer[:k]:
            households = households.exclude(region_code__startswith=done)
        for hh in households.order_by("number"):
            if len(candidates) >= upto:
                break
            if hh.pk in rated and busy_until.get(hh.pk, dt.date.min) < today and hh not in candidates:
                candidates.append(hh)
    made = 0
    for i, hh in enumerate(candidates):
        steps, _label = STAND_IN[i % len(STAND_IN)]
        applied = today - dt.timedelta(days=ctx.rng.randint(0, 6))
        borrower = hh.members.filter(relation__in=("head", "spouse")).order_by("birth_date").last()
        try:
            app = services.application_create(
                household=hh, borrower=borrower, bank=ctx.banks[0], amount=ctx.rng.randint(2, 4) * 1_000_000,
                term_months=36, industry="养殖", purpose="养殖滩羊扩大规模", actor=None, on=applied)
        except services.DomainError:
            continue
        chain = ["submit", "approve", "approve", "approve", "approve"]
        if steps == "reject":
            actions = chain[:2] + ["reject"]
        elif steps == "withdraw":
            actions = ["withdraw"]
        else:
            actions = chain[:steps]
        for action in actions:
            services.application_transition(application=app, action=action, actor=None, on=applied,
                                            opinion="同意" if action in ("submit", "approve") else "资料不实，不予受理")
        made += 1
    ctx.count("loan_applications", made)
