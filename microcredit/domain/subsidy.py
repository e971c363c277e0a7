"""Interest subsidy (贴息) per instalment period (DOMAIN §6).

Readings chosen:

* Subsidy rate = min(contract rate, cap rate); the cap is the benchmark/LPR that applied at
  disbursement (:func:`microcredit.domain.rates.cap_rate`), given in :class:`SubsidyTerms`.
* The principal of a period is the scheduled balance outstanding during it (interest-only
  methods: the whole principal; amortising: the opening balance of the month).
* Interest-only methods (and a period cut short by early settlement): balance × rate ×
  days in window / 360. Amortising methods: balance × rate / 12, and when only part of the
  month lies in the window, that × days in window / days of the period.
* × ratio, then rounded half-up once.
* Window: ``[disbursed, disbursed + max_years years)``; days of a period on or after the
  window end do not count.
* Eligibility: the instalment (interest, and principal when due then) is paid off by its due
  date + ``grace_days``. A period not yet due as of ``as_of``, paid late, or unpaid earns 0.
  A period cancelled by early settlement earns 0. Penalty is never subsidised.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Callable, NamedTuple, Sequence

from microcredit.domain.dates import add_months
from microcredit.domain.errors import DomainError, FieldError
from microcredit.domain.money import round_half_up
from microcredit.domain.schedules import AMORTISING_METHODS, LoanTerms, Schedule, rate_ratio
from microcredit.domain.servicing import LoanState, Payment, loan_state

__all__ = ["SubsidyTerms", "PeriodSubsidy", "InterestSplit", "validate_subsidy_terms", "subsidy_by_period",
           "total_subsidy", "interest_split", "direct_subsidy_credits", "direct_subsidy_by_period"]


class SubsidyTerms(NamedTuple):
    """The subsidy rule of a loan (DOMAIN §6). ``ratio`` is a fraction: 1 = 100 %, 0.5 = 50 %."""

    cap_rate: Decimal
    ratio: Decimal
    max_years: int = 3
    grace_days: int = 0


class PeriodSubsidy(NamedTuple):
    """The subsidy earned by one instalment period, in fen, and why (Chinese)."""

    seq: int
    period_start: date
    due_date: date
    eligible: bool
    amount: int
    reason: str
    days_in_window: int = 0


def validate_subsidy_terms(st: SubsidyTerms) -> list[FieldError]:
    """Errors (Chinese, naming the field) in ``st``; empty when valid (DOMAIN §6)."""
    errors: list[FieldError] = []
    if not isinstance(st.cap_rate, Decimal) or not st.cap_rate.is_finite() or st.cap_rate < 0:
        errors.append(FieldError("cap_rate", "贴息利率上限必须是非负十进制数（%）"))
    if not isinstance(st.ratio, Decimal) or not st.ratio.is_finite() or not 0 <= st.ratio <= 1:
        errors.append(FieldError("ratio", "贴息比例必须在 0 到 1 之间（如 1 或 0.5）"))
    if isinstance(st.max_years, bool) or not isinstance(st.max_years, int) or st.max_years < 0:
        errors.append(FieldError("max_years", "贴息年限必须是非负整数"))
    if isinstance(st.grace_days, bool) or not isinstance(st.grace_days, int) \
            or st.grace_days < 0:
        errors.append(FieldError("grace_days", "宽限天数必须是非负整数"))
    return errors


def subsidy_by_period(
    schedule: Schedule,
    terms: LoanTerms,
    state_or_payments: LoanState | Sequence[Payment],
    subsidy_terms: SubsidyTerms,
    as_of: date | None = None,
) -> tuple[PeriodSubsidy, ...]:
    """One :class:`PeriodSubsidy` per instalment, in order (DOMAIN §6).

    Args:
        schedule, terms: the loan.
        state_or_payments: a :class:`LoanState` (its ``as_of`` is used unless ``as_of`` is
            given and equal), or the payments (then ``as_of`` is required).
        subsidy_terms: cap rate, ratio, window, grace days.
        as_of: the day eligibility is judged.
    """
    errors = validate_subsidy_terms(subsidy_terms)
    if errors:
        raise DomainError.from_errors(errors)
    if isinstance(state_or_payments, LoanState):
        state = state_or_payments
        if as_of is not None and as_of != state.as_of:
            raise DomainError("as_of", "as_of 与贷款状态的日期不一致")
    else:
        if as_of is None:
            raise DomainError("as_of", "传入还款记录时必须给出 as_of")
        state = loan_state(schedule, terms, state_or_payments, as_of)
    as_of = state.as_of
    rate = min(terms.annual_rate, subsidy_terms.cap_rate)
    rn, rd = rate_ratio(rate)
    qn, qd = subsidy_terms.ratio.as_integer_ratio()
    window_end = add_months(terms.disbursed_on, 12 * subsidy_terms.max_years)
    amortising = terms.method in AMORTISING_METHODS
    grace = timedelta(days=subsidy_terms.grace_days)
    out: list[PeriodSubsidy] = []
    balances = schedule.balances()
    for inst, balance in zip(state.installments, balances):
        start, end = inst.period_start, inst.due_date
        in_window = max(0, (min(end, window_end) - start).days)
        period_days = (end - start).days
        if inst.cancelled:
            reason, ok = "提前结清，本期取消", False
        elif inst.due_date > as_of:
            reason, ok = "未到期", False
        elif inst.paid_off_on is None:
            reason, ok = "未还清", False
        elif inst.paid_off_on > inst.due_date + grace:
            reason, ok = f"逾期还款（{inst.paid_off_on.isoformat()} 还清），不予贴息", False
        elif in_window == 0:
            reason, ok = "超出贴息期限", False
        else:
            reason, ok = "按期还款", True
        amount = 0
        if ok:
            amount = _amount(balance, in_window, period_days, amortising and not inst.settled_early, (rn, rd), (qn, qd))
            if in_window < period_days:
                reason += "（部分天数超出贴息期限）"
        out.append(PeriodSubsidy(inst.seq, start, end, ok, amount, reason, in_window))
    return tuple(out)


def _amount(balance: int, in_window: int, period_days: int, monthly: bool, rate: tuple[int, int],
            ratio: tuple[int, int]) -> int:
    if monthly:
        num, den = balance * rate[0] * in_window, rate[1] * 12 * period_days
    else:
        num, den = balance * rate[0] * in_window, rate[1] * 360
    return round_half_up(num * ratio[0], den * ratio[1])


class InterestSplit(NamedTuple):
    """One period's contract interest split for 直接贴付 (fen): ``household_share + subsidy_share == interest``."""

    seq: int
    due_date: date
    interest: int
    subsidy_share: int
    household_share: int


def interest_split(schedule: Schedule, terms: LoanTerms, subsidy_terms: SubsidyTerms) -> tuple[InterestSplit, ...]:
    """Per contract instalment: the §6 subsidy of the period *assuming it is paid on time* (capped at the
    period's interest) and the household's share, the rest (直接贴付, DOMAIN §6, ADR 0004)."""
    errors = validate_subsidy_terms(subsidy_terms)
    if errors:
        raise DomainError.from_errors(errors)
    rate = rate_ratio(min(terms.annual_rate, subsidy_terms.cap_rate))
    ratio = subsidy_terms.ratio.as_integer_ratio()
    window_end = add_months(terms.disbursed_on, 12 * subsidy_terms.max_years)
    amortising = terms.method in AMORTISING_METHODS
    out = []
    for inst, balance in zip(schedule.installments, schedule.balances()):
        in_window = max(0, (min(inst.due_date, window_end) - inst.period_start).days)
        period_days = (inst.due_date - inst.period_start).days
        share = 0
        if in_window and period_days:
            share = min(inst.interest, _amount(balance, in_window, period_days, amortising, rate, ratio))
        out.append(InterestSplit(inst.seq, inst.due_date, inst.interest, share, inst.interest - share))
    return tuple(out)


def direct_subsidy_credits(
    schedule: Schedule,
    terms: LoanTerms,
    payments: Sequence[Payment],
    subsidy_terms: SubsidyTerms,
    as_of: date,
    direct_on: Callable[[date], bool] | None = None,
) -> tuple[Payment, ...]:
    """直接贴付: the subsidy shares the bank books on the loan (one ``Payment`` on the due date per period).

    Periods are judged in order. Period k earns its share when, with the household's payments, the shares of
    the earlier periods that earned theirs and this share dated its due date, the instalment is paid off by
    due date + grace days (as of ``as_of``) — i.e. the household paid principal + interest − share in time.
    Otherwise (late, unpaid, not yet due, cut or cancelled by early settlement, outside the window) it earns
    nothing and the household owes the whole interest of that period (未按期还贷的不予贴息).
    ``direct_on(due_date)`` false: the period is not in direct mode (the loan's mode changed, ADR 0004
    amendment) and earns no share here; default: every period is.
    """
    grace = timedelta(days=subsidy_terms.grace_days)
    household = [p for p in payments if p.date <= as_of]
    credits: list[Payment] = []
    for split in interest_split(schedule, terms, subsidy_terms):
        if split.subsidy_share <= 0 or split.due_date > as_of or (direct_on and not direct_on(split.due_date)):
            continue
        candidate = Payment(split.due_date, split.subsidy_share)
        state = loan_state(schedule, terms, [*household, *credits, candidate], as_of)
        inst = state.installments[split.seq - schedule.installments[0].seq]
        if inst.cancelled or inst.settled_early or inst.paid_off_on is None \
                or inst.paid_off_on > inst.due_date + grace:
            continue
        credits.append(candidate)
    return tuple(credits)


def direct_subsidy_by_period(
    schedule: Schedule,
    terms: LoanTerms,
    payments: Sequence[Payment],
    subsidy_terms: SubsidyTerms,
    as_of: date,
    direct_on: Callable[[date], bool] | None = None,
) -> tuple[PeriodSubsidy, ...]:
    """Like :func:`subsidy_by_period` for 直接贴付: ``amount`` is the period's subsidy share when the period
    earned it (:func:`direct_subsidy_credits`), else 0 with the reason. Σ amounts = Σ credits."""
    credits = direct_subsidy_credits(schedule, terms, payments, subsidy_terms, as_of, direct_on)
    credited = {c.date for c in credits}
    state = loan_state(schedule, terms, [*payments, *credits], as_of)
    out = []
    for split, inst in zip(interest_split(schedule, terms, subsidy_terms), state.installments):
        window = max(0, (min(inst.due_date, add_months(terms.disbursed_on, 12 * subsidy_terms.max_years))
                         - inst.period_start).days)
        if split.due_date in credited:
            out.append(PeriodSubsidy(split.seq, inst.period_start, split.due_date, True, split.subsidy_share,
                                     "按期还款（直接贴付）", window))
            continue
        if direct_on and not direct_on(split.due_date):
            reason = "本期为先收后补，不直接贴付"
        elif inst.cancelled or inst.settled_early:
            reason = "提前结清，本期不直接贴付"
        elif split.subsidy_share <= 0:
            reason = "超出贴息期限" if window == 0 else "无贴息"
        elif split.due_date > as_of:
            reason = "未到期"
        elif inst.paid_off_on is None:
            reason = "未按期付清本息（农户应付全部利息），不予贴息"
        else:
            reason = f"逾期还款（{inst.paid_off_on.isoformat()} 还清），不予贴息"
        out.append(PeriodSubsidy(split.seq, inst.period_start, split.due_date, False, 0, reason, window))
    return tuple(out)


def total_subsidy(periods: Sequence[PeriodSubsidy]) -> int:
    """Sum of the periods' amounts, fen."""
    return sum(p.amount for p in periods)
