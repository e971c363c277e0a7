"""The loans of a region as of a past day D, for the 台账 export (DOMAIN §10, issue #13 §4).

Read in bulk — the loans by chunks with ``values_list``, their instalments and effective events one query
per chunk — and computed by the domain engine for each loan as of the end of D (DOMAIN §5.1), so every
figure equals ``domain.servicing.loan_state`` on the same schedule and payments:

* the loans disbursed on or before D and not closed before D (paid off, renewed or written off on a day
  before D); a loan whose disbursement was reversed (a renewal undone) is not serviced and not listed;
* the schedule in force on D: an extension dated after D is not yet there (its ``old_version``);
* payments: the household's effective repayments, settlements and renewals dated on or before D, plus for
  periods in 直接贴付 mode the subsidy shares booked on their due dates (as ``loans.selectors.loan_payments``);
* 累计贴息: the subsidy earned by the periods due on or before D (DOMAIN §6: 先收后补 periods by
  ``subsidy_by_period``, 直接贴付 periods by ``direct_subsidy_by_period``) — what the batches claim;
* 累计还款: principal repaid (so 贷款金额 − 累计还款 = 贷款余额, the reconciliation's balance check);
* 逾期起始日期 / 欠息起始日期: the due date of the oldest instalment due before D with principal /
  interest unpaid (D − that date = its days past due).

Other apps read it through ``loans.selectors.ledger_loans``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q, QuerySet

from microcredit.apps.loans.models import EventKind, Installment, LoanEvent, SubsidyMode
from microcredit.domain.schedules import Installment as DomainInstallment
from microcredit.domain.schedules import LoanTerms, Schedule
from microcredit.domain.servicing import LoanState, Payment, loan_state
from microcredit.domain.subsidy import (
    SubsidyTerms,
    direct_subsidy_by_period,
    direct_subsidy_credits,
    subsidy_by_period,
)

CHUNK = 2000
PAYMENT_KINDS = (EventKind.REPAYMENT, EventKind.SETTLEMENT, EventKind.RENEWAL)
CLOSING_KINDS = (EventKind.WRITE_OFF,)

FIELDS = ("pk", "number", "region_code", "household_id", "household__group_name", "household__head_name",
          "household__head_id_number", "household__status", "borrower__name", "borrower__id_number",
          "borrower__relation", "bank_id", "bank__name", "principal", "annual_rate", "cap_rate", "subsidy_ratio",
          "subsidy_max_years", "subsidy_mode", "subsidy_mode_changes", "disbursed_on", "term_months",
          "maturity_date", "method", "usage_mode", "industry", "account_number", "schedule_version")


class LedgerLoan(NamedTuple):
    """One loan as of D: its fixed attributes (codes, not labels) and its figures (fen)."""

    pk: int
    number: str
    region_code: str
    household_id: int
    group_name: str
    head_name: str
    head_id_number: str
    household_status: str
    borrower_name: str
    borrower_id_number: str
    relation: str
    bank_id: int
    bank_name: str
    principal: int
    annual_rate: Decimal
    term_months: int
    disbursed_on: dt.date
    maturity_date: dt.date
    usage_mode: str
    industry: str
    account_number: str
    subsidy: int
    principal_repaid: int
    last_payment_on: dt.date | None
    balance: int
    overdue_principal: int
    overdue_since: dt.date | None
    overdue_interest: int
    interest_overdue_since: dt.date | None
    state: LoanState


def ledger_loan_queryset(loans: QuerySet, as_of: dt.date) -> QuerySet:
    """Narrow the (already scoped) loans to those that may be on the ledger of D: disbursed by D, not closed
    (per the cached closing day) before D, disbursement not reversed."""
    reversed_disbursements = LoanEvent.objects.filter(kind=EventKind.DISBURSEMENT, reversed_by__isnull=False)
    return (loans.filter(disbursed_on__lte=as_of).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=as_of))
            .exclude(pk__in=reversed_disbursements.values("loan_id")))


def ledger_loans(loans: QuerySet, as_of: dt.date, chunk: int = CHUNK) -> Iterator[LedgerLoan]:
    """The loans of ``loans`` (a scoped queryset) on the ledger of ``as_of``, by loan number, as of its end."""
    qs = ledger_loan_queryset(loans, as_of).order_by("number").values_list(*FIELDS)
    batch: list[tuple] = []
    for row in qs.iterator(chunk_size=chunk):
        batch.append(row)
        if len(batch) >= chunk:
            yield from _chunk(batch, as_of)
            batch = []
    if batch:
        yield from _chunk(batch, as_of)


def _chunk(rows: list[tuple], as_of: dt.date) -> Iterator[LedgerLoan]:
    ids = [r[0] for r in rows]
    payments: dict[int, list[Payment]] = defaultdict(list)
    closed_by_event: dict[int, dt.date] = {}
    for loan_id, kind, on, amount in (LoanEvent.objects.filter(loan_id__in=ids, kind__in=PAYMENT_KINDS + CLOSING_KINDS)
                                      .effective().order_by("loan_id", "on", "id")
                                      .values_list("loan_id", "kind", "on", "amount")):
        if kind in CLOSING_KINDS:
            closed_by_event[loan_id] = min(on, closed_by_event.get(loan_id, on))
        elif amount > 0 and on <= as_of:
            payments[loan_id].append(Payment(on, amount, "regular" if kind == EventKind.REPAYMENT else "settlement"))
        if kind == EventKind.RENEWAL:
            closed_by_event[loan_id] = min(on, closed_by_event.get(loan_id, on))
    # The schedule in force on D: before an extension dated after D, the version it replaced.
    version_on: dict[int, tuple[int, dt.date, int]] = {}
    for loan_id, on, data in (LoanEvent.objects.filter(loan_id__in=ids, kind=EventKind.EXTENSION, on__gt=as_of)
                              .effective().order_by("loan_id", "on", "id").values_list("loan_id", "on", "data")):
        if loan_id not in version_on:
            version_on[loan_id] = (int(data["old_version"]), dt.date.fromisoformat(data["old_maturity"]),
                                   int(data["old_term_months"]))
    current = {r[0]: r[FIELDS.index("schedule_version")] for r in rows}
    insts: dict[int, list[DomainInstallment]] = defaultdict(list)
    for loan_id, version, seq, start, due, principal, interest in (
            Installment.objects.filter(loan_id__in=ids).order_by("loan_id", "schedule_version", "seq")
            .values_list("loan_id", "schedule_version", "seq", "period_start", "due_date", "principal", "interest")):
        wanted = version_on[loan_id][0] if loan_id in version_on else current[loan_id]
        if version == wanted:
            insts[loan_id].append(DomainInstallment(seq, start, due, principal, interest))
    for row in rows:
        loan_id = row[0]
        closed = closed_by_event.get(loan_id)
        if closed is not None and closed < as_of:
            continue
        figures = _figures(row, insts[loan_id], payments.get(loan_id, []), version_on.get(loan_id), as_of)
        if figures is not None:
            yield figures


def _figures(row: tuple, insts: list[DomainInstallment], household: list[Payment],
             old: tuple[int, dt.date, int] | None, as_of: dt.date) -> LedgerLoan | None:
    (pk, number, region_code, household_id, group_name, head_name, head_id, hh_status, borrower_name, borrower_id,
     relation, bank_id, bank_name, principal, rate, cap_rate, ratio, max_years, mode, mode_changes, disbursed_on,
     term_months, maturity, method, usage_mode, industry, account, _version) = row
    if old is not None:
        _v, maturity, term_months = old
    terms = LoanTerms(principal=principal, annual_rate=Decimal(rate), disbursed_on=disbursed_on,
                      term_months=term_months, method=method)
    schedule = Schedule(maturity, tuple(insts))
    subsidy_terms = SubsidyTerms(cap_rate=Decimal(cap_rate), ratio=Decimal(ratio), max_years=max_years)
    day = max(as_of, disbursed_on)
    direct = mode == SubsidyMode.DIRECT or bool(mode_changes)
    direct_on = _direct_on(mode, mode_changes)
    payments = household
    if direct:
        credits = direct_subsidy_credits(schedule, terms, household, subsidy_terms, day, direct_on)
        payments = sorted([*household, *credits], key=lambda p: p.date)
    state = loan_state(schedule, terms, payments, day)
    if state.closed_on is not None and state.closed_on < as_of:
        return None
    subsidy = sum(p.amount for p in subsidy_by_period(schedule, terms, state, subsidy_terms)
                  if not direct or not direct_on(p.due_date))
    if direct:
        subsidy += sum(p.amount for p in direct_subsidy_by_period(schedule, terms, household, subsidy_terms, day,
                                                                  direct_on))
    overdue_since = interest_since = None
    for inst in state.installments:
        if inst.due_date < as_of:
            if overdue_since is None and inst.principal_unpaid > 0:
                overdue_since = inst.due_date
            if interest_since is None and inst.interest_unpaid > 0:
                interest_since = inst.due_date
    return LedgerLoan(
        pk, number, region_code, household_id, group_name, head_name, head_id, hh_status, borrower_name, borrower_id,
        relation, bank_id, bank_name, principal, Decimal(rate), term_months, disbursed_on, maturity, usage_mode,
        industry, account, subsidy, state.principal_paid, max((p.date for p in household), default=None),
        state.principal_outstanding, state.overdue_principal, overdue_since, state.overdue_interest, interest_since,
        state)


def _direct_on(mode: str, changes):
    """The period's mode on its due date (as ``loans.selectors.loan_subsidy_mode_on``): is it 直接贴付."""
    from_changes = list(changes or ())

    def direct_on(due_date: dt.date) -> bool:
        for change in from_changes:
            if due_date < dt.date.fromisoformat(change["effective_from"]):
                return change["before"] == SubsidyMode.DIRECT
        return mode == SubsidyMode.DIRECT

    return direct_on

