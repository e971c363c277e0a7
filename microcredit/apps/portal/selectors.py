"""What a household sees of itself in the portal (issue #14 §2–§4): only ``household``'s own rows.

Every function takes the household (``request.household``, set by ``access.household_required`` from the
signed-in user, never from a URL or a parameter) and reads the other apps through their selectors with
``user=SYSTEM`` narrowed to that household — a household user has no region scope, so the scoped reads
would answer nothing. The figures are the loans app's: the state of a loan is ``loans.selectors
.loan_current_state`` (the domain engine), its next due date ``batch.basis.next_due_date`` (what the close
stores on the loan), the amounts of that instalment the state's own; nothing is recomputed here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet

from microcredit.apps.accounts.scope import SYSTEM
from microcredit.apps.accounts.selectors import contacts_for_village
from microcredit.apps.funds.selectors import subsidy_lines_list
from microcredit.apps.loans.selectors import (
    LoanStatus,
    household_payments,
    loan_current_state,
    loan_interest_split,
    loan_list,
    loan_schedule,
    loan_subsidy_mode_on,
    settlement_quote_for,
)
from microcredit.apps.origination.selectors import application_list
from microcredit.apps.rating.selectors import (
    credit_region_list,
    current_rating,
    honour_list,
)
from microcredit.apps.reference.selectors import bank_list, era_terms
from microcredit.apps.reminders.selectors import reminder_list
from microcredit.batch.basis import next_due_date
from microcredit.domain.classification import CLASS_LABELS
from microcredit.domain.scorecards import HONOUR_BONUS, HONOUR_LABELS
from microcredit.domain.servicing import LoanState

FAR = dt.date(9999, 12, 31)
SUBSIDY_PAID = "paid"  # funds.SubsidyStatus.PAID: 财政已拨付


# --- loans -------------------------------------------------------------------------------------------------

def household_loans(household) -> QuerySet:
    """The household's loans, newest first (active ones first)."""
    return loan_list(user=SYSTEM, household=household).order_by("status", "-disbursed_on", "-id")


def household_loan(household, pk: int):
    """One of the household's own loans; ``Loan.DoesNotExist`` for any other id (another household's too)."""
    return household_loans(household).get(pk=pk)


@dataclass
class NextDue:
    """The next instalment not yet paid off, due on or after today, as the loan's state says."""

    due_date: dt.date
    principal: int  # unpaid principal of that instalment
    interest: int  # unpaid interest of that instalment
    subsidy_share: int = 0  # 直接贴付: the part of the interest the subsidy pays to the bank
    direct: bool = False

    @property
    def amount(self) -> int:
        """What the instalment still asks for (principal + interest)."""
        return self.principal + self.interest

    @property
    def household_amount(self) -> int:
        """What the household itself pays on that day (直接贴付: without the subsidy's share)."""
        return self.principal + max(self.interest - self.subsidy_share, 0)


@dataclass
class LoanView:
    loan: object
    state: LoanState
    next_due: NextDue | None
    household_paid: int  # the household's own payments so far
    overdue_amount: int  # due before today and unpaid, with the penalty interest
    subsidy_received: int  # 先收后补: subsidy paid out by the finance bureau for the loan's periods
    direct: bool  # some period in 直接贴付 mode
    split: list[dict] | None = None  # 直接贴付: per period the household's share and the subsidy's
    rows: list[dict] = field(default_factory=list)  # the schedule with what is paid

    @property
    def class_label(self) -> str:
        return str(CLASS_LABELS.get(self.state.classification, ""))


def next_due(loan, state: LoanState, split: list[dict] | None = None) -> NextDue | None:
    """The instalment of ``state`` due on ``batch.basis.next_due_date(state)`` (None when none is left)."""
    day = next_due_date(state)
    if day is None:
        return None
    inst = next(s for s in state.installments if s.due_date == day and s.paid_off_on is None)
    share = next((p["subsidy_share"] for p in split or () if p["seq"] == inst.seq), 0)
    return NextDue(day, inst.principal_unpaid, inst.interest_unpaid, share,
                   direct=loan_subsidy_mode_on(loan, day) == "direct")


def subsidy_received(loan) -> int:
    """先收后补: the subsidy (贴息) of the loan in batches the finance bureau has paid (fen)."""
    lines = subsidy_lines_list(user=SYSTEM, start=loan.disbursed_on, end=FAR).filter(
        loan=loan, batch__status=SUBSIDY_PAID, batch__mode="claim")
    return sum(lines.values_list("amount", flat=True))


def loan_view(loan, on: dt.date, *, with_rows: bool = False) -> LoanView:
    """A loan as its household sees it on ``on`` (the business date)."""
    state = loan_current_state(loan, on)
    split = loan_interest_split(loan, on)
    paid = sum(p.amount for p in household_payments(loan) if p.date <= on)
    overdue = state.overdue_principal + state.overdue_interest + state.penalty_owed
    view = LoanView(loan, state, next_due(loan, state, split) if loan.status == LoanStatus.ACTIVE else None, paid,
                    overdue, subsidy_received(loan), split is not None, split)
    if with_rows:
        shares = {p["seq"]: p for p in split or ()}
        planned = {i.seq: i for i in loan_schedule(loan).installments}
        view.rows = [{"seq": s.seq, "due_date": s.due_date, "principal": s.principal, "interest": s.interest,
                      "planned_principal": planned[s.seq].principal if s.seq in planned else s.principal,
                      "paid": s.principal_paid + s.interest_paid + s.penalty_paid, "paid_off_on": s.paid_off_on,
                      "days_past_due": s.days_past_due, "cancelled": s.cancelled, "settled_early": s.settled_early,
                      "household_share": shares[s.seq]["household_share"] if s.seq in shares else None}
                     for s in state.installments]
    return view


def loan_quote(loan, on: dt.date):
    """The early-settlement quote (提前结清) of the loan on ``on`` — the loans app's own."""
    return settlement_quote_for(loan, on)


# --- credit ------------------------------------------------------------------------------------------------

@dataclass
class CreditView:
    rating: object | None
    expired: bool
    honours: list[str]  # the household's honours (labels)
    honour_options: list[tuple[str, int]]  # (label, extra limit in fen) — how to raise the limit
    credit_village: object | None  # the village's latest 信用村 evaluation granted
    village_name: str


def credit_view(household, on: dt.date) -> CreditView:
    """Grade, limit, validity, honours and the credit-village standing of the household's village."""
    rating = current_rating(household, on)
    expired = bool(rating and rating.valid_until and rating.valid_until < on)
    honours = [HONOUR_LABELS.get(h, h) for h in honour_list(SYSTEM).filter(
        household=household, revoked_on__isnull=True).values_list("kind", flat=True)]
    village = credit_region_list(SYSTEM).filter(region_code=household.region_code, granted=True).order_by(
        "-year").first()
    return CreditView(rating, expired, honours, [(HONOUR_LABELS[k], v) for k, v in HONOUR_BONUS.items()], village,
                      household.village.name)


# --- reminders, policy, applications -----------------------------------------------------------------------

def household_reminders(household) -> QuerySet:
    """The SMS reminders of the household's loans, newest first."""
    return reminder_list(user=SYSTEM).filter(household=household)


def county_banks(household) -> QuerySet:
    """The banks with a branch in the household's county (what it may choose when applying)."""
    return bank_list().filter(branches__region__code__startswith=household.region_code[:6]).distinct().order_by(
        "code")


def policy_view(household, on: dt.date) -> dict:
    """The 明白纸: the era's terms in force and whom to call (village clerks, the loan's or the county's banks'
    officers)."""
    terms, era = era_terms(on)
    bank_ids = set(household_loans(household).filter(status=LoanStatus.ACTIVE).values_list("bank_id", flat=True))
    if not bank_ids:
        bank_ids = set(county_banks(household).values_list("pk", flat=True))
    contacts = contacts_for_village(region_code=household.region_code, bank_ids=bank_ids)
    return {"terms": terms, "era": era, "clerks": contacts["village"], "officers": contacts["bank"]}


def household_applications(household) -> QuerySet:
    """The household's applications with their recorded steps, newest first."""
    return application_list(SYSTEM).filter(household=household).prefetch_related("transitions").order_by(
        "-applied_on", "-id")
