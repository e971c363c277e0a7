"""Small builders shared by the domain tests (amounts written in yuan, stored in fen)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from microcredit.domain.money import yuan_to_fen
from microcredit.domain.schedules import LoanTerms, Schedule, build_schedule
from microcredit.domain.servicing import Payment


def d(text: str) -> date:
    """ISO date."""
    return date.fromisoformat(text)


def fen(yuan: str) -> int:
    """Yuan string → fen."""
    return yuan_to_fen(yuan)


def loan(principal: str, rate: str, disbursed: str, months: int, method: str
         ) -> tuple[LoanTerms, Schedule]:
    """Terms and schedule of a loan."""
    terms = LoanTerms(fen(principal), Decimal(rate), d(disbursed), months, method)
    return terms, build_schedule(terms)


def pay(day: str, yuan: str, kind: str = "regular") -> Payment:
    """A payment."""
    return Payment(d(day), fen(yuan), kind)


def quarterly_example() -> tuple[LoanTerms, Schedule]:
    """DOMAIN §5.2 first worked example: 50000 at 4.35 from 2018-03-15, 36 months quarterly."""
    return loan("50000", "4.35", "2018-03-15", 36, "interest_quarterly")


def section_5_3_payments(schedule: Schedule) -> list[Payment]:
    """DOMAIN §5.3 example: interest paid on due dates up to 2019-03-21, then 600 on 08-01."""
    on_time = [Payment(i.due_date, i.interest) for i in schedule.installments
               if i.due_date <= d("2019-03-21")]
    return on_time + [pay("2019-08-01", "600.00")]
