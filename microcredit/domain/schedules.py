"""Repayment schedules for the five methods (DOMAIN §5.2).

Readings chosen (the worked examples of §5.2 are the ground truth and all hold exactly):

* Interest-only methods (``interest_quarterly``, ``interest_monthly``): a settlement day ``s``
  (the 20th of Mar/Jun/Sep/Dec, or of every month) is used when ``disbursed <= s`` and
  ``s + 1 < maturity``. The instalment of a settlement covers the period
  ``[period_start, s + 1)`` — interest runs through ``s`` inclusive — and is **due on s + 1**.
  The last period is ``[s_k + 1, maturity)`` and is due on the maturity date with the whole
  principal. So for every instalment, of every method, ``days = due_date − period_start``
  (算头不算尾) and ``period_end == due_date``.
* A disbursement on a settlement day (03-20) makes a 1-day first period due 03-21. A maturity
  on 03-20 or 03-21 does not use the 03-20 settlement (``s + 1 < maturity`` fails).
* ``bullet``: one instalment due at maturity, interest for all ``maturity − disbursed`` days.
* Amortising methods are monthly, due on the disbursement day of each month counted from the
  disbursement date (``add_months(disbursed, k)``, clamped — 01-31 gives 02-28, 03-31, …).
  The monthly rate is ``rate / 12``; no day count is involved.
* ``equal_installment``: ``A = round(P·i·(1+i)ⁿ/((1+i)ⁿ−1))`` computed exactly with integers;
  with a 0 % rate ``A = round(P / n)``. Month interest ``round(balance × i)``, principal
  ``A − interest`` but never more than the balance; the last month takes the remaining balance.
* ``equal_principal``: ``round(P / n)`` a month (never more than the balance), the last month
  takes the remainder; interest ``round(balance × i)``.
* Every intermediate value is an exact integer fraction; rounding happens only through
  :func:`microcredit.domain.money.round_half_up`.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from microcredit.domain.dates import add_months
from microcredit.domain.errors import DomainError, FieldError
from microcredit.domain.money import round_half_up

__all__ = [
    "METHODS", "METHOD_LABELS", "INTEREST_ONLY_METHODS", "AMORTISING_METHODS", "MAX_TERM_MONTHS",
    "MAX_RATE", "LoanTerms", "Installment", "Schedule", "validate_terms", "build_schedule",
    "rate_ratio", "period_interest", "monthly_interest", "amortise",
]

METHODS = ("interest_quarterly", "interest_monthly", "bullet", "equal_installment",
           "equal_principal")
METHOD_LABELS = {
    "interest_quarterly": "按季结息、到期还本",
    "interest_monthly": "按月结息、到期还本",
    "bullet": "利随本清",
    "equal_installment": "等额本息",
    "equal_principal": "等额本金",
}
INTEREST_ONLY_METHODS = ("interest_quarterly", "interest_monthly", "bullet")
"""Methods whose interest is principal × rate × days / 360 (ACT/360)."""
AMORTISING_METHODS = ("equal_installment", "equal_principal")
"""Methods whose interest is balance × rate / 12."""
MAX_TERM_MONTHS = 360
MAX_RATE = Decimal("36")
_SETTLEMENT_DAY = 20
_SETTLEMENT_MONTHS = {"interest_quarterly": (3, 6, 9, 12), "interest_monthly": tuple(range(1, 13))}


class LoanTerms(NamedTuple):
    """What a loan contract fixes (DOMAIN §4, §5.2). ``principal`` in fen, rate % per year."""

    principal: int
    annual_rate: Decimal
    disbursed_on: date
    term_months: int
    method: str

    @property
    def maturity_date(self) -> date:
        """Disbursement + term months, clamped to month end (DOMAIN §5.1)."""
        return add_months(self.disbursed_on, self.term_months)


class Installment(NamedTuple):
    """One scheduled instalment. Its period is ``[period_start, due_date)`` (DOMAIN §5.2)."""

    seq: int
    period_start: date
    due_date: date
    principal: int
    interest: int

    @property
    def period_end(self) -> date:
        """Exclusive end of the interest period; always the due date (see module notes)."""
        return self.due_date

    @property
    def days(self) -> int:
        """Days in the period, 算头不算尾 (DOMAIN §5.1)."""
        return (self.due_date - self.period_start).days

    @property
    def amount(self) -> int:
        """Principal plus interest due."""
        return self.principal + self.interest


class Schedule(NamedTuple):
    """A loan's instalments in due-date order (DOMAIN §5.2)."""

    maturity_date: date
    installments: tuple[Installment, ...]

    @property
    def total_interest(self) -> int:
        """Sum of scheduled interest, fen."""
        return sum(i.interest for i in self.installments)

    def balances(self) -> tuple[int, ...]:
        """Scheduled principal outstanding during each instalment's period (opening balance)."""
        out: list[int] = []
        remaining = sum(i.principal for i in self.installments)
        for inst in self.installments:
            out.append(remaining)
            remaining -= inst.principal
        return tuple(out)


def validate_terms(terms: LoanTerms) -> list[FieldError]:
    """Errors (Chinese, naming the field) in ``terms``; empty when valid (DOMAIN §4, §5.2).

    Only arithmetic sanity is checked here (positive principal, a rate in [0, 36] %, a term of
    1–360 months, a known method). Policy caps (5万, 3 years, the rate cap) are policy rules.
    """
    errors: list[FieldError] = []
    p = terms.principal
    if isinstance(p, bool) or not isinstance(p, int):
        errors.append(FieldError("principal", "本金必须是整数（分）"))
    elif p <= 0:
        errors.append(FieldError("principal", "本金必须大于 0"))
    r = terms.annual_rate
    if not isinstance(r, Decimal) or not r.is_finite():
        errors.append(FieldError("annual_rate", "年利率必须是十进制数（百分比，如 4.35）"))
    elif r < 0 or r > MAX_RATE:
        errors.append(FieldError("annual_rate", f"年利率必须在 0 到 {MAX_RATE}（%）之间"))
    if not isinstance(terms.disbursed_on, date):
        errors.append(FieldError("disbursed_on", "放款日必须是日期"))
    t = terms.term_months
    if isinstance(t, bool) or not isinstance(t, int):
        errors.append(FieldError("term_months", "期限必须是整数（月）"))
    elif not 1 <= t <= MAX_TERM_MONTHS:
        errors.append(FieldError("term_months", f"期限必须在 1 到 {MAX_TERM_MONTHS} 个月之间"))
    if terms.method not in METHODS:
        errors.append(FieldError(
            "method", f"未知的还款方式：{terms.method}（可选：{'、'.join(METHODS)}）"))
    return errors


def rate_ratio(annual_rate: Decimal) -> tuple[int, int]:
    """The rate as an exact fraction of 1 per year: 4.35 % → (435, 10000) reduced."""
    n, d = annual_rate.as_integer_ratio()
    return n, d * 100


def period_interest(principal: int, annual_rate: Decimal, days: int) -> int:
    """``round(principal × rate × days / 360)`` in fen (DOMAIN §5.1, §5.2 interest-only)."""
    n, d = rate_ratio(annual_rate)
    return round_half_up(principal * n * days, d * 360)


def monthly_interest(balance: int, annual_rate: Decimal) -> int:
    """``round(balance × rate / 12)`` in fen (DOMAIN §5.2 amortising methods)."""
    n, d = rate_ratio(annual_rate)
    return round_half_up(balance * n, d * 12)


def _interest_only(terms: LoanTerms) -> tuple[Installment, ...]:
    maturity = terms.maturity_date
    starts_and_dues: list[tuple[date, date]] = []
    start = terms.disbursed_on
    if terms.method != "bullet":
        months = _SETTLEMENT_MONTHS[terms.method]
        y, m = terms.disbursed_on.year, terms.disbursed_on.month
        while True:
            if m in months:
                s = date(y, m, _SETTLEMENT_DAY)
                due = s + timedelta(days=1)
                if due >= maturity:
                    break
                if s >= terms.disbursed_on:
                    starts_and_dues.append((start, due))
                    start = due
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    starts_and_dues.append((start, maturity))
    last = len(starts_and_dues)
    return tuple(
        Installment(k, a, b, terms.principal if k == last else 0,
                    period_interest(terms.principal, terms.annual_rate, (b - a).days))
        for k, (a, b) in enumerate(starts_and_dues, start=1)
    )


def amortise(balance: int, annual_rate: Decimal, method: str, disbursed_on: date,
             months_done: int, term_months: int, first_seq: int = 1) -> tuple[Installment, ...]:
    """Amortise ``balance`` over months ``months_done+1 … term_months`` (DOMAIN §5.2).

    Due dates are ``add_months(disbursed_on, k)``. A fresh loan is ``months_done=0``;
    restructuring re-amortises a remaining balance from a later month.
    """
    n = term_months - months_done
    rn, rd = rate_ratio(annual_rate)
    if method == "equal_installment":
        if rn == 0:
            payment = round_half_up(balance, n)
        else:
            q = rd * 12
            grow = (q + rn) ** n
            payment = round_half_up(balance * rn * grow, q * (grow - q ** n))
    elif method == "equal_principal":
        payment = round_half_up(balance, n)
    else:
        raise DomainError("method", f"{method} 不是等额还款方式")
    out: list[Installment] = []
    start = add_months(disbursed_on, months_done)
    for k in range(months_done + 1, term_months + 1):
        due = add_months(disbursed_on, k)
        interest = round_half_up(balance * rn, rd * 12)
        if k == term_months:
            principal = balance
        elif method == "equal_installment":
            principal = min(payment - interest, balance)
        else:
            principal = min(payment, balance)
        out.append(Installment(first_seq + len(out), start, due, principal, interest))
        balance -= principal
        start = due
    return tuple(out)


def build_schedule(terms: LoanTerms) -> Schedule:
    """The repayment schedule of ``terms`` (DOMAIN §5.2).

    Raises:
        DomainError: when :func:`validate_terms` finds an error (the first one).
    """
    errors = validate_terms(terms)
    if errors:
        raise DomainError.from_errors(errors)
    if terms.method in AMORTISING_METHODS:
        insts = amortise(terms.principal, terms.annual_rate, terms.method, terms.disbursed_on,
                         0, terms.term_months)
    else:
        insts = _interest_only(terms)
    return Schedule(terms.maturity_date, insts)
