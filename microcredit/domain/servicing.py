"""The servicing engine: schedule + payments → loan state as of a day (DOMAIN §5.1, §5.3).

Readings chosen (the §5.3 example holds exactly):

* "As of D" is the end of day D: payments dated D count, payments dated after D do not.
  An instalment due E is overdue as of D when D > E and unpaid; days past due = D − E.
* On each day t (a payment day or a due day), the cash of that day — the day's payments plus
  any advance held — pays the instalments due on or before t, oldest first; within one
  instalment penalty, then interest, then principal. What is left is the advance (预收),
  which waits for the next due day (an advance is never applied before a due date, so an
  instalment is never "paid off" before it falls due).
* Penalty (罚息) at contract rate × (1 + ``penalty_markup``) / 360 a day accrues on the
  instalment's unpaid principal + unpaid interest (复利) from its due date E: a payment on D
  owes D − E days. The exact accrual is kept as integer fen-days; penalty owed =
  round(exact accrued) − penalty paid, per instalment. Penalty does not accrue on penalty.
* An instalment is paid off (``paid_off_on``) on the day its principal, interest and penalty
  reach zero. A zero-amount instalment (0 % rate) is paid off on its due date.
* Early settlement (提前结清) is a payment with ``kind="settlement"`` on D. The day's cash
  first pays what is due as usual; then, if what is left covers all not-yet-due principal
  plus the interest accrued on the current period (``period_start`` → D, ACT/360 on the
  scheduled balance of that period, rounded), the current instalment is cut to end on D
  (``due_date`` D, that interest, all remaining principal; ``settled_early``) and the later
  instalments are cancelled (zero amounts, ``cancelled``, paid off on D). Any excess stays as
  advance. A settlement payment too small to settle is treated as an ordinary payment (so a
  recorded event never makes the state uncomputable). Instalments already cancelled by an
  earlier settlement are not "current": a settlement payment after the loan is settled is
  an ordinary overpayment (advance) and does not move the closing day. :func:`settlement_quote` gives the
  exact amount.
* Money is conserved: total paid = penalty paid + interest paid + principal paid + advance.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple, Sequence

from microcredit.domain.classification import DEFAULT_BANDS, Band, classify
from microcredit.domain.errors import DomainError, FieldError
from microcredit.domain.money import round_half_up
from microcredit.domain.schedules import LoanTerms, Schedule, period_interest, rate_ratio

__all__ = ["PAYMENT_KINDS", "DEFAULT_PENALTY_MARKUP", "Payment", "InstallmentState",
           "LoanState", "SettlementQuote", "validate_payments", "loan_state",
           "settlement_quote", "settlement_payment", "penalty_ratio"]

PAYMENT_KINDS = ("regular", "settlement")
DEFAULT_PENALTY_MARKUP = Decimal("0.5")
"""Penalty rate = contract rate × (1 + 50 %) (DOMAIN §5.3, 银发〔2003〕251号)."""


class Payment(NamedTuple):
    """Money received from the borrower on ``date`` (fen). ``kind``: regular or settlement."""

    date: date
    amount: int
    kind: str = "regular"


class InstallmentState(NamedTuple):
    """One instalment as of a day (DOMAIN §5.3). Amounts in fen.

    ``principal``/``interest``/``due_date`` are the effective ones (an early settlement cuts
    the current instalment and cancels the later ones). ``penalty_accrued`` is the rounded
    exact penalty accrued up to the as-of day (or to the day it was paid off).
    """

    seq: int
    period_start: date
    due_date: date
    principal: int
    interest: int
    principal_paid: int
    interest_paid: int
    penalty_paid: int
    penalty_accrued: int
    paid_off_on: date | None
    days_past_due: int = 0
    settled_early: bool = False
    cancelled: bool = False

    @property
    def principal_unpaid(self) -> int:
        """Principal still owed."""
        return self.principal - self.principal_paid

    @property
    def interest_unpaid(self) -> int:
        """Interest still owed."""
        return self.interest - self.interest_paid

    @property
    def penalty_owed(self) -> int:
        """round(exact accrued) − penalty paid (DOMAIN §5.3)."""
        return self.penalty_accrued - self.penalty_paid

    @property
    def days(self) -> int:
        """Days of the (effective) period, 算头不算尾."""
        return (self.due_date - self.period_start).days


class LoanState(NamedTuple):
    """A loan as of the end of ``as_of`` (DOMAIN §5.1, §5.3, §5.4). Amounts in fen.

    ``overdue_*`` are amounts due before ``as_of`` and unpaid; ``principal_outstanding`` is all
    unpaid principal (due or not); ``closed_on`` is the day the last instalment was paid off.
    """

    as_of: date
    maturity_date: date
    days_past_due: int
    classification: str
    principal_outstanding: int
    overdue_principal: int
    overdue_interest: int
    penalty_owed: int
    advance: int
    installments: tuple[InstallmentState, ...]
    total_paid: int
    principal_paid: int = 0
    interest_paid: int = 0
    penalty_paid: int = 0
    closed_on: date | None = None


class SettlementQuote(NamedTuple):
    """What settles a loan on ``on`` (提前结清, DOMAIN §5.3). Amounts in fen.

    ``total`` = principal_outstanding + current_interest + due_interest + penalty − advance
    (negative means money to refund).
    """

    on: date
    principal_outstanding: int
    current_interest: int
    due_interest: int
    penalty: int
    advance: int
    total: int


class _Inst:
    """Mutable working copy of one instalment inside the engine."""

    __slots__ = ("seq", "start", "due", "principal", "interest", "p_paid", "i_paid", "pen_paid",
                 "fen_days", "last", "paid_off", "settled", "cancelled")

    def __init__(self, seq: int, start: date, due: date, principal: int, interest: int) -> None:
        self.seq, self.start, self.due = seq, start, due
        self.principal, self.interest = principal, interest
        self.p_paid = self.i_paid = self.pen_paid = self.fen_days = 0
        self.last = due
        self.paid_off: date | None = None
        self.settled = self.cancelled = False

    def unpaid(self) -> int:
        return self.principal - self.p_paid + self.interest - self.i_paid

    def accrue(self, to: date) -> None:
        if to > self.last:
            self.fen_days += self.unpaid() * (to - self.last).days
            self.last = to


def validate_payments(terms: LoanTerms, payments: Sequence[Payment]) -> list[FieldError]:
    """Errors (Chinese, naming ``payments[i].field``) in ``payments`` (DOMAIN §5.3)."""
    errors: list[FieldError] = []
    for k, p in enumerate(payments):
        if not isinstance(p.date, date):
            errors.append(FieldError(f"payments[{k}].date", "还款日期必须是日期"))
        elif p.date < terms.disbursed_on:
            errors.append(FieldError(
                f"payments[{k}].date",
                f"还款日期 {p.date.isoformat()} 早于放款日 {terms.disbursed_on.isoformat()}"))
        if isinstance(p.amount, bool) or not isinstance(p.amount, int):
            errors.append(FieldError(f"payments[{k}].amount", "还款金额必须是整数（分）"))
        elif p.amount <= 0:
            errors.append(FieldError(f"payments[{k}].amount", "还款金额必须大于 0"))
        if p.kind not in PAYMENT_KINDS:
            errors.append(FieldError(f"payments[{k}].kind",
                                     f"未知的还款类型：{p.kind}（可选：regular、settlement）"))
    return errors


def penalty_ratio(terms: LoanTerms, markup: Decimal) -> tuple[int, int]:
    """(num, den): the penalty of one fen-day is num / den fen — the loan rate × (1 + markup) / 360
    (DOMAIN §5.3), kept as an exact ratio."""
    rn, rd = rate_ratio(terms.annual_rate)
    mn, md = markup.as_integer_ratio()
    return rn * (md + mn), rd * md * 360


_penalty_ratio = penalty_ratio  # former private name


def _pay_due(insts: list[_Inst], t: date, cash: int, pen: tuple[int, int]) -> int:
    for inst in insts:
        if cash <= 0 or inst.due > t:
            break
        if inst.paid_off is not None:
            continue
        inst.accrue(t)
        owed = round_half_up(inst.fen_days * pen[0], pen[1]) - inst.pen_paid
        step = min(cash, owed)
        inst.pen_paid += step
        cash -= step
        step = min(cash, inst.interest - inst.i_paid)
        inst.i_paid += step
        cash -= step
        step = min(cash, inst.principal - inst.p_paid)
        inst.p_paid += step
        cash -= step
        if inst.unpaid() == 0:
            inst.paid_off = t
    return cash


def _current_interest(insts: list[_Inst], terms: LoanTerms, t: date) -> tuple[int, int, int]:
    """(index of the current instalment, its remaining scheduled principal, accrued interest)."""
    for k, inst in enumerate(insts):
        if inst.due > t and not inst.cancelled:
            remaining = sum(i.principal - i.p_paid for i in insts[k:])
            return k, remaining, period_interest(remaining, terms.annual_rate,
                                                 (t - inst.start).days)
    return len(insts), 0, 0


def _settle(insts: list[_Inst], terms: LoanTerms, t: date, cash: int) -> int:
    k, remaining, interest = _current_interest(insts, terms, t)
    if k == len(insts) or cash < remaining + interest:
        return cash
    cur = insts[k]
    cur.due, cur.last = t, t
    cur.principal, cur.interest = remaining + cur.p_paid, interest
    cur.p_paid, cur.i_paid = cur.principal, interest
    cur.paid_off, cur.settled = t, True
    for later in insts[k + 1:]:
        later.principal = later.p_paid
        later.interest = later.i_paid
        later.paid_off, later.cancelled = t, True
    return cash - remaining - interest


def loan_state(
    schedule: Schedule,
    terms: LoanTerms,
    payments: Sequence[Payment],
    as_of: date,
    penalty_markup: Decimal = DEFAULT_PENALTY_MARKUP,
    bands: Sequence[Band] = DEFAULT_BANDS,
) -> LoanState:
    """The loan as of the end of ``as_of`` (DOMAIN §5.1, §5.3, §5.4).

    Args:
        schedule: from :func:`microcredit.domain.schedules.build_schedule` (or restructuring).
        terms: the contract (rate used for penalty and settlement interest).
        payments: in any order; those dated after ``as_of`` are ignored.
        as_of: the day; the state is after every payment dated that day.
        penalty_markup: penalty rate = rate × (1 + markup).
        bands: classification bands.

    Raises:
        DomainError: a payment before disbursement, a non-positive amount, an unknown kind.
    """
    errors = validate_payments(terms, payments)
    if errors:
        raise DomainError.from_errors(errors)
    pen = penalty_ratio(terms, penalty_markup)
    insts = [_Inst(i.seq, i.period_start, i.due_date, i.principal, i.interest)
             for i in schedule.installments]
    by_day: dict[date, list[Payment]] = {}
    for p in payments:
        if p.date <= as_of:
            by_day.setdefault(p.date, []).append(p)
    days = sorted(set(by_day) | {i.due for i in insts if i.due <= as_of})
    advance = 0
    for t in days:
        for inst in insts:
            if inst.due == t and inst.unpaid() == 0 and inst.paid_off is None:
                inst.paid_off = t
        todays = by_day.get(t, ())
        cash = advance + sum(p.amount for p in todays)
        if cash:
            cash = _pay_due(insts, t, cash, pen)
            if any(p.kind == "settlement" for p in todays):
                cash = _settle(insts, terms, t, cash)
        advance = cash
    return _summarise(schedule, insts, payments, as_of, advance, pen, bands)


def _summarise(schedule: Schedule, insts: list[_Inst], payments: Sequence[Payment], as_of: date,
               advance: int, pen: tuple[int, int], bands: Sequence[Band]) -> LoanState:
    states: list[InstallmentState] = []
    dpd = 0
    overdue_p = overdue_i = penalty = 0
    for inst in insts:
        if inst.paid_off is None and inst.due <= as_of:
            inst.accrue(as_of)
        accrued = round_half_up(inst.fen_days * pen[0], pen[1])
        late = 0
        if inst.due < as_of and inst.unpaid() > 0:
            late = (as_of - inst.due).days
            dpd = max(dpd, late)
            overdue_p += inst.principal - inst.p_paid
            overdue_i += inst.interest - inst.i_paid
        penalty += accrued - inst.pen_paid
        states.append(InstallmentState(
            inst.seq, inst.start, inst.due, inst.principal, inst.interest, inst.p_paid,
            inst.i_paid, inst.pen_paid, accrued, inst.paid_off, late, inst.settled,
            inst.cancelled))
    closed = None
    if all(s.paid_off_on is not None for s in states):
        closed = max(s.paid_off_on for s in states)  # type: ignore[type-var]
    return LoanState(
        as_of=as_of,
        maturity_date=schedule.maturity_date,
        days_past_due=dpd,
        classification=classify(dpd, bands),
        principal_outstanding=sum(s.principal_unpaid for s in states),
        overdue_principal=overdue_p,
        overdue_interest=overdue_i,
        penalty_owed=penalty,
        advance=advance,
        installments=tuple(states),
        total_paid=sum(p.amount for p in payments if p.date <= as_of),
        principal_paid=sum(s.principal_paid for s in states),
        interest_paid=sum(s.interest_paid for s in states),
        penalty_paid=sum(s.penalty_paid for s in states),
        closed_on=closed,
    )


def settlement_quote(
    schedule: Schedule,
    terms: LoanTerms,
    payments: Sequence[Payment],
    on: date,
    penalty_markup: Decimal = DEFAULT_PENALTY_MARKUP,
    bands: Sequence[Band] = DEFAULT_BANDS,
) -> SettlementQuote:
    """What settles the loan on ``on`` (提前结清, DOMAIN §5.3).

    Outstanding principal + interest accrued to ``on`` on the current period + interest and
    penalty of everything due on or before ``on`` − advance, after the payments dated
    ``on``. Paying exactly ``total`` with ``Payment(on, total, "settlement")`` closes the loan.
    """
    state = loan_state(schedule, terms, payments, on, penalty_markup, bands)
    current = 0
    for k, s in enumerate(state.installments):
        if s.due_date > on and s.paid_off_on is None:
            remaining = sum(x.principal_unpaid for x in state.installments[k:])
            current = period_interest(remaining, terms.annual_rate, (on - s.period_start).days)
            break
    due_interest = sum(s.interest_unpaid for s in state.installments if s.due_date <= on)
    total = (state.principal_outstanding + current + due_interest + state.penalty_owed
             - state.advance)
    return SettlementQuote(on, state.principal_outstanding, current, due_interest,
                           state.penalty_owed, state.advance, total)


def settlement_payment(quote: SettlementQuote) -> Payment:
    """The payment event that settles the loan as quoted (kind ``settlement``)."""
    if quote.total <= 0:
        raise DomainError("amount", "无需支付：预收款已足以结清贷款")
    return Payment(quote.on, quote.total, "settlement")
