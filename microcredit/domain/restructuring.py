"""Extension (展期) and renewal (续贷, 无还本续贷) of a policy loan (DOMAIN §4, §12).

Both keep the policy terms (rate, method, subsidy rule); neither rewrites history: the
payments stay as recorded and the new schedule keeps every instalment already due.

Readings chosen:

* **Extension** moves the maturity to a later month (same day of month as the
  disbursement, clamped). It must be requested on a day ``on`` with disbursement ≤ on <
  maturity, with nothing overdue (unless ``allow_overdue``). The cumulative extension is
  capped by 贷款通则 第十二条 unless ``max_extra_months`` is given: original term ≤ 12
  months → at most the original term; ≤ 60 months → at most half of it; longer → 36 months.
  Interest-only methods and ``bullet``: the new schedule is simply the schedule of the new
  term (instalments due on or before ``on`` are unchanged). Amortising methods: the
  instalments due on or before ``on`` are kept and the scheduled balance after them is
  re-amortised over the remaining months to the new maturity (so the new schedule must be
  stored, or re-derived with :func:`extend`; ``build_schedule(new_terms)`` would differ).
* **Renewal** is a new loan disbursed on ``on`` that settles the old one with a
  ``settlement`` payment of the old loan's :func:`~microcredit.domain.servicing.settlement_quote`.
  ``without_principal_repayment=True`` (无还本续贷): the new loan's principal is the old
  outstanding principal and the borrower pays only interest + penalty − advance in cash; it
  requires a loan with nothing overdue and ``on`` not after maturity. Otherwise (续贷): the
  borrower settles the old loan in full in cash and the new principal is ``new_principal``
  (default: the old outstanding principal).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple, Sequence

from microcredit.domain.dates import add_months
from microcredit.domain.errors import DomainError, FieldError
from microcredit.domain.schedules import (AMORTISING_METHODS, LoanTerms, Schedule, amortise,
                                          build_schedule)
from microcredit.domain.servicing import Payment, SettlementQuote, loan_state, settlement_quote

__all__ = ["max_extension_months", "extend", "Renewal", "renew", "REQUEST_KINDS", "request_errors"]


def max_extension_months(original_term_months: int) -> int:
    """Cumulative extension allowed for a loan of this original term (贷款通则 第十二条)."""
    if original_term_months <= 12:
        return original_term_months
    if original_term_months <= 60:
        return original_term_months // 2
    return 36


def _months_between(disbursed_on: date, maturity: date) -> int | None:
    months = (maturity.year - disbursed_on.year) * 12 + maturity.month - disbursed_on.month
    return months if add_months(disbursed_on, months) == maturity else None


def extend(
    terms: LoanTerms,
    schedule: Schedule,
    payments: Sequence[Payment],
    *,
    on: date,
    new_maturity: date | None = None,
    extra_months: int | None = None,
    original_term_months: int | None = None,
    max_extra_months: int | None = None,
    allow_overdue: bool = False,
) -> tuple[LoanTerms, Schedule]:
    """Extend the loan's maturity (展期, DOMAIN §4, §12); returns (new terms, new schedule).

    Give exactly one of ``new_maturity`` or ``extra_months``. ``original_term_months`` is the
    term before any extension (default: the current term).

    Raises:
        DomainError: naming the field, in Chinese.
    """
    if (new_maturity is None) == (extra_months is None):
        raise DomainError("extra_months", "须且只能给出新到期日或展期月数之一")
    if new_maturity is not None:
        months = _months_between(terms.disbursed_on, new_maturity)
        if months is None:
            raise DomainError("new_maturity",
                              "新到期日须与放款日同一日（月末按月末）")
        extra_months = months - terms.term_months
    assert extra_months is not None
    if extra_months < 1:
        raise DomainError("extra_months", "展期至少 1 个月，新到期日须晚于原到期日")
    if not terms.disbursed_on <= on < schedule.maturity_date:
        raise DomainError("on", "展期须在放款后、到期日之前申请")
    original = original_term_months or terms.term_months
    limit = max_extension_months(original) if max_extra_months is None else max_extra_months
    if terms.term_months - original + extra_months > limit:
        raise DomainError("extra_months", f"累计展期不得超过 {limit} 个月")
    state = loan_state(schedule, terms, payments, on)
    if state.days_past_due > 0 and not allow_overdue:
        raise DomainError("on", "贷款已逾期，须先结清逾期本息再展期")
    if state.closed_on is not None:
        raise DomainError("on", "贷款已结清，无需展期")
    new_terms = terms._replace(term_months=terms.term_months + extra_months)
    if terms.method not in AMORTISING_METHODS:
        return new_terms, build_schedule(new_terms)
    kept = tuple(i for i in schedule.installments if i.due_date <= on)
    balance = sum(i.principal for i in schedule.installments[len(kept):])
    rest = amortise(balance, terms.annual_rate, terms.method, terms.disbursed_on, len(kept),
                    new_terms.term_months, first_seq=len(kept) + 1)
    return new_terms, Schedule(new_terms.maturity_date, kept + rest)


class Renewal(NamedTuple):
    """A renewal plan (续贷): settle the old loan, disburse the new one (DOMAIN §4)."""

    quote: SettlementQuote
    old_loan_payment: Payment | None
    cash_from_borrower: int
    new_terms: LoanTerms
    new_schedule: Schedule


def renew(
    terms: LoanTerms,
    schedule: Schedule,
    payments: Sequence[Payment],
    *,
    on: date,
    new_term_months: int,
    without_principal_repayment: bool = False,
    new_principal: int | None = None,
    new_rate: Decimal | None = None,
) -> Renewal:
    """Plan a renewal on ``on`` (续贷 / 无还本续贷, DOMAIN §4, §12).

    The new loan keeps the method and (unless ``new_rate``) the rate. Record
    ``old_loan_payment`` on the old loan (it closes it) and create the new loan from
    ``new_terms``/``new_schedule``.

    Raises:
        DomainError: naming the field, in Chinese.
    """
    state = loan_state(schedule, terms, payments, on)
    if state.principal_outstanding <= 0:
        raise DomainError("on", "原贷款已无未还本金，无需续贷")
    quote = settlement_quote(schedule, terms, payments, on)
    if without_principal_repayment:
        if state.days_past_due > 0:
            raise DomainError("on", "无还本续贷要求贷款无逾期")
        if on > schedule.maturity_date:
            raise DomainError("on", "无还本续贷须在原贷款到期日或之前办理")
        if new_principal is not None and new_principal != quote.principal_outstanding:
            raise DomainError("new_principal", "无还本续贷的新贷款本金须等于原贷款未还本金")
        principal = quote.principal_outstanding
        cash = quote.total - principal
    else:
        principal = quote.principal_outstanding if new_principal is None else new_principal
        cash = quote.total
    new_terms = LoanTerms(principal, terms.annual_rate if new_rate is None else new_rate, on,
                          new_term_months, terms.method)
    new_schedule = build_schedule(new_terms)
    payment = Payment(on, quote.total, "settlement") if quote.total > 0 else None
    return Renewal(quote, payment, max(cash, 0), new_terms, new_schedule)


# --- the request (DOMAIN §12, issue #12 §11) --------------------------------------------------------

REQUEST_KINDS = {"extension": "展期", "renewal": "续贷"}
MAX_REASON = 500
MAX_RENEWAL_MONTHS = 36


def request_errors(*, kind: str, on: date, disbursed_on: date, maturity: date, new_maturity: date | None,
                   new_term_months: int | None, reason: str) -> list[FieldError]:
    """Why an extension/renewal request made on ``on`` is refused, every failure at once ([] when it may be
    made). DOMAIN §12: requested before maturity — an extension before the maturity date (``extend``
    refuses on/after it), a renewal on or before it (``renew``'s 无还本续贷 rule); an extension names a
    later maturity, a renewal a term of 1–36 months; a reason of at most 500 characters."""
    errors: list[FieldError] = []
    if kind not in REQUEST_KINDS:
        errors.append(FieldError("kind", "请选择展期或续贷"))
    if on < disbursed_on:
        errors.append(FieldError("on", "申请日期不能早于放款日"))
    if kind == "extension":
        if on >= maturity:
            errors.append(FieldError("on", f"贷款已于 {maturity} 到期，到期后不能申请展期"))
        if new_maturity is None:
            errors.append(FieldError("new_maturity", "请填写申请展期至的日期"))
        elif new_maturity <= maturity:
            errors.append(FieldError("new_maturity", f"展期后的到期日须晚于原到期日 {maturity}"))
    elif kind == "renewal":
        if on > maturity:
            errors.append(FieldError("on", f"贷款已于 {maturity} 到期，到期后不能申请续贷"))
        if new_term_months is None or not 1 <= new_term_months <= MAX_RENEWAL_MONTHS:
            errors.append(FieldError("new_term_months", f"续贷期限须为 1–{MAX_RENEWAL_MONTHS} 个月"))
    if not reason.strip():
        errors.append(FieldError("reason", "请填写申请原因"))
    elif len(reason) > MAX_REASON:
        errors.append(FieldError("reason", f"申请原因不能超过 {MAX_REASON} 字"))
    return errors
