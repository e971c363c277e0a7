"""Reads on loans, always through the caller's scope (regions, and bank for bank users), and a loan's
truth computed from its schedule and events by the domain engine (DOMAIN §5.3, ADR 0004).

Other apps read loans only through this module (issue #10 §1); batch work passes ``user=SYSTEM``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import F, Max, Min, Q, QuerySet

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.panels import loan_scope_q
from microcredit.apps.loans import ledger
from microcredit.apps.reference.selectors import bank_list
from microcredit.apps.loans.filters import DPD_BANDS, SORTS
from microcredit.apps.loans.models import (ClassificationMove, ClassificationProposal, EventKind, ExtensionRequest,
                                           Installment, Loan, LoanEvent, LoanStatus, SubsidyMode, UsageMode)
from microcredit.domain.classification import NPL_CLASSES
from microcredit.domain.schedules import Installment as DomainInstallment
from microcredit.domain.schedules import LoanTerms, Schedule
from microcredit.domain.servicing import LoanState, Payment, loan_state, settlement_quote
from microcredit.domain.subsidy import SubsidyTerms, direct_subsidy_by_period, direct_subsidy_credits, interest_split

VOCABULARIES = (LoanStatus, SubsidyMode, UsageMode)  # re-exported for other apps' forms and rules
PAYMENT_EVENT_KINDS = (EventKind.REPAYMENT, EventKind.SETTLEMENT, EventKind.RENEWAL)


def loans_visible(*, user) -> QuerySet[Loan]:
    scope = Scope.of(user)
    qs = Loan.objects.select_related("household", "borrower", "bank")
    if (narrower := loan_scope_q(user)) is not None and not scope.unrestricted:
        qs = qs.filter(narrower)
    if scope.bank_id is not None and not scope.unrestricted:
        qs = scope.filter_bank(qs)
        return scope.filter_regions(qs) if scope.region_prefixes else qs
    return scope.filter_regions(qs)


def loan_list(*, user, q: str = "", status: str = "", classification: str = "", region: str = "",
              township: str = "", village: str = "", bank: int | None = None, light: str = "", dpd: str = "",
              maturity: dt.date | None = None, era: str = "", sort: str = "", household=None,
              ids=None) -> QuerySet[Loan]:
    """The loans visible to the user, filtered (each filter optional; ``loans.filters`` reads them from a
    query string): number/name search, status, class (or ``npl``), region prefix, township (9-digit prefix
    or 12-digit code), village, bank id, warning light of the last close, days-past-due band, maturity month,
    policy era; ``sort`` one of ``loans.filters.SORTS`` (``-key`` descending)."""
    qs = loans_visible(user=user)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(household__head_name__icontains=q) | Q(borrower__name__icontains=q))
    if classification:
        qs = qs.filter(classification__in=NPL_CLASSES) if classification == "npl" else qs.filter(
            classification=classification)
    for prefix in (region, township[:9], village):
        qs = qs.filter(region_code__startswith=prefix) if prefix else qs
    if dpd:
        _label, lo, hi = DPD_BANDS[dpd]
        qs = qs.filter(days_past_due__gte=lo) if hi is None else qs.filter(days_past_due__range=(lo, hi))
    if maturity:
        qs = qs.filter(maturity_date__year=maturity.year, maturity_date__month=maturity.month)
    exact = {"status": status, "bank_id": bank, "day_state__warning_light": light, "policy_era": era,
             "household": household}
    qs = qs.filter(**{k: v for k, v in exact.items() if v})
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    if sort:
        field = SORTS[sort.lstrip("-")]
        qs = qs.order_by(f"-{field}" if sort.startswith("-") else field, "-id")
    return qs


def loan_get(*, user, pk: int) -> Loan:
    """The loan if visible to the user (Loan.DoesNotExist otherwise)."""
    return loans_visible(user=user).get(pk=pk)


def classification_moves(*, user, loan: Loan | int | None = None, region: str | None = None,
                          since: dt.date | None = None) -> QuerySet[ClassificationMove]:
    """The delinquency history (五级分类变动, DOMAIN §5.4, §9) of the loans visible to ``user``: each move
    (from, to, on, cause close | manual, reason, who), optionally of one loan, under a region prefix, on or
    after ``since``; newest first."""
    qs = ClassificationMove.objects.filter(loan__in=loans_visible(user=user).values("pk")).select_related(
        "loan", "actor")
    if loan is not None:
        qs = qs.filter(loan_id=getattr(loan, "pk", loan))
    if region:
        qs = qs.filter(loan__region_code__startswith=region)
    if since is not None:
        qs = qs.filter(on__gte=since)
    return qs.order_by("-on", "-id")


def classification_floors(day: dt.date) -> list[tuple[int, str]]:
    """(loan id, manual class) of the active loans with a manual floor set on or before ``day`` (DOMAIN §5.4,
    ADR 0002 amendment): the daily close applies them over the class by days past due (few rows)."""
    return list(Loan.objects.filter(status=LoanStatus.ACTIVE, manual_class_on__lte=day)
                .exclude(manual_class__in=("", "normal")).values_list("pk", "manual_class"))


def class_proposals_visible(user) -> QuerySet[ClassificationProposal]:
    """Manual class proposals of the loans visible to ``user`` (the kit's scope, ADR 0007)."""
    return ClassificationProposal.objects.filter(loan__in=loans_visible(user=user).values("pk")).select_related(
        "loan", "loan__household", "proposed_by")


def extension_requests_visible(user) -> QuerySet[ExtensionRequest]:
    """Extension/renewal requests of the loans visible to ``user`` (the kit's scope, ADR 0007)."""
    return ExtensionRequest.objects.filter(loan__in=loans_visible(user=user).values("pk")).select_related(
        "loan", "loan__household", "loan__bank", "requested_by")


def extension_request_list(*, user, state: str = "", open_only: bool = False,
                           loan: Loan | int | None = None) -> QuerySet[ExtensionRequest]:
    """The requests in ``user``'s scope, optionally in one state, open ones only, or of one loan."""
    qs = extension_requests_visible(user)
    if state:
        qs = qs.filter(state=state)
    if open_only:
        qs = qs.filter(state__in=["village_opinion", "township_opinion", "bank_decision"])
    if loan is not None:
        qs = qs.filter(loan_id=getattr(loan, "pk", loan))
    return qs.order_by("-requested_on", "-id")


def loan_events(loan: Loan) -> QuerySet[LoanEvent]:
    """The loan's events in order, each with its actor, the event it reverses and the reversal of it
    (``reversed_by``) joined in: the loan page reads all three per event (issue #15 §4: no N+1)."""
    return loan.events.select_related("created_by", "reverses", "reversed_by").order_by("on", "id")


def loan_event_last_id() -> int:
    """The id of the newest loan event (0 when none): a watermark for "what the close saw"."""
    return LoanEvent.objects.aggregate(m=Max("id"))["m"] or 0


def loan_events_after(since: int) -> QuerySet[LoanEvent]:
    """Loan events (of any loan) recorded after the event ``since``."""
    return LoanEvent.objects.filter(id__gt=since)


def first_disbursement_date() -> dt.date | None:
    return Loan.objects.aggregate(d=Min("disbursed_on"))["d"]


def other_active_loan(household, exclude: Loan | None = None) -> Loan | None:
    """The household's 在贷 policy loan other than ``exclude`` (DOMAIN §4: at most one)."""
    qs = Loan.objects.filter(household=household, status=LoanStatus.ACTIVE)
    return (qs.exclude(pk=exclude.pk) if exclude is not None else qs).first()


def household_loan_histories(household) -> list[tuple[list[tuple[dt.date, dt.date | None]], dt.date | None]]:
    """Each loan's instalments of its current schedule ``(due_date, paid_off_on)`` and its closing day."""
    loans = {pk: (closed_on, []) for pk, closed_on in Loan.objects.filter(household=household).values_list("pk", "closed_on")}
    latest: dict[int, int] = {}
    for loan_id, version, due, paid in Installment.objects.filter(loan__household=household).order_by(
            "loan_id", "-schedule_version").values_list("loan_id", "schedule_version", "due_date", "paid_off_on"):
        if latest.setdefault(loan_id, version) == version:
            loans[loan_id][1].append((due, paid))
    return [(instalments, closed_on) for closed_on, instalments in loans.values()]


def loan_terms(loan: Loan) -> LoanTerms:
    """The domain terms of a stored loan."""
    return LoanTerms(
        principal=loan.principal, annual_rate=Decimal(loan.annual_rate), disbursed_on=loan.disbursed_on,
        term_months=loan.term_months, method=loan.method,
    )


def loan_subsidy_terms(loan: Loan) -> SubsidyTerms:
    """The subsidy terms fixed on the loan at disbursement (DOMAIN §6): cap rate, ratio, window."""
    return SubsidyTerms(cap_rate=Decimal(loan.cap_rate), ratio=Decimal(loan.subsidy_ratio),
                        max_years=loan.subsidy_max_years)


def loan_subsidy_mode_on(loan: Loan, due_date: dt.date) -> str:
    """The loan's subsidy mode for the period due on ``due_date`` (ADR 0004 amendment): the mode it was
    disbursed with, changed by each effective-dated change whose date is on or before the due date."""
    for change in loan.subsidy_mode_changes or ():
        if due_date < dt.date.fromisoformat(change["effective_from"]):
            return change["before"]
    return loan.subsidy_mode


def loan_has_direct_periods(loan: Loan) -> bool:
    """True when some period of the loan may be in 直接贴付 mode (now, or before/after a change)."""
    return loan.subsidy_mode == SubsidyMode.DIRECT or bool(loan.subsidy_mode_changes)


def loan_schedule(loan: Loan, version: int | None = None) -> Schedule:
    """The loan's current (or given) schedule version as a domain Schedule."""
    rows = Installment.objects.filter(loan=loan, schedule_version=version or loan.schedule_version).order_by("seq")
    insts = tuple(DomainInstallment(r.seq, r.period_start, r.due_date, r.principal, r.interest) for r in rows)
    return Schedule(loan.maturity_date, insts)


def household_payments(loan: Loan) -> list[Payment]:
    """The effective payment events as domain Payments (settlement/renewal pay off the loan)."""
    out = []
    for e in LoanEvent.objects.filter(loan=loan, kind__in=PAYMENT_EVENT_KINDS).effective().order_by("on", "id"):
        if e.amount > 0:
            out.append(Payment(e.on, e.amount, "regular" if e.kind == EventKind.REPAYMENT else "settlement"))
    return out


def _direct_on(loan: Loan):
    """Predicate on a period's due date: is that period in 直接贴付 mode (ADR 0004 amendment)."""
    return lambda due_date: loan_subsidy_mode_on(loan, due_date) == SubsidyMode.DIRECT


def loan_payments(loan: Loan, as_of: dt.date | None = None) -> list[Payment]:
    """What pays the loan as of a day: the household's payments, plus — for the periods of a loan in
    直接贴付 mode (``Loan.subsidy_mode``, set at disbursement, changed only with an effective date) — the
    subsidy shares the bank books on the due dates the household paid its share on time (ADR 0004;
    domain.subsidy.direct_subsidy_credits)."""
    payments = household_payments(loan)
    if not loan_has_direct_periods(loan):
        return payments
    day = max(as_of or business_date(), loan.disbursed_on)
    credits = direct_subsidy_credits(loan_schedule(loan), loan_terms(loan), payments, loan_subsidy_terms(loan), day,
                                     _direct_on(loan))
    return sorted([*payments, *credits], key=lambda p: p.date)


def loan_direct_periods(loan: Loan, as_of: dt.date):
    """直接贴付: the domain's per-period subsidy share earned (household paid its share on time, ADR 0004);
    periods in 先收后补 mode earn nothing here."""
    return direct_subsidy_by_period(loan_schedule(loan), loan_terms(loan), household_payments(loan),
                                    loan_subsidy_terms(loan), max(as_of, loan.disbursed_on), _direct_on(loan))


def loan_interest_split(loan: Loan, as_of: dt.date | None = None) -> list[dict] | None:
    """For a loan with periods in direct mode: per period the interest, the household's share, the subsidy
    share the bank claims, and whether it was earned; None for a loan wholly in claim mode. A period in
    先收后补 mode (before/after a change of mode) has no subsidy share: the household pays the whole interest."""
    if not loan_has_direct_periods(loan):
        return None
    as_of = as_of or business_date()
    earned = {p.seq: p for p in loan_direct_periods(loan, as_of)}
    direct_on = _direct_on(loan)
    out = []
    for s in interest_split(loan_schedule(loan), loan_terms(loan), loan_subsidy_terms(loan)):
        share = s.subsidy_share if direct_on(s.due_date) else 0
        out.append({"seq": s.seq, "due_date": s.due_date, "interest": s.interest, "household_share": s.interest - share,
                    "subsidy_share": share, "eligible": earned[s.seq].eligible, "reason": earned[s.seq].reason})
    return out


def loan_current_state(loan: Loan, as_of: dt.date | None = None) -> LoanState:
    """The domain state of the loan as of a day (default: the business date)."""
    as_of = as_of or business_date()
    return loan_state(loan_schedule(loan), loan_terms(loan), loan_payments(loan, as_of), max(as_of, loan.disbursed_on))



def settlement_quote_for(loan: Loan, on: dt.date):
    """What settles the loan on ``on`` (提前结清)."""
    return settlement_quote(loan_schedule(loan), loan_terms(loan), loan_payments(loan, on), on)


def installments_due(*, user, start: dt.date, end: dt.date, unpaid_on: dt.date,
                     principal_only: bool = False) -> QuerySet[Installment]:
    """Instalments of the active loans visible to ``user`` (current schedule version) due from ``start`` to
    ``end`` and not paid off on ``unpaid_on`` — reminders and the maturity list (DOMAIN §8); with
    ``principal_only`` only those with principal still to pay."""
    qs = (Installment.objects.filter(loan__in=loans_visible(user=user).filter(status=LoanStatus.ACTIVE).values("pk"),
                                     schedule_version=F("loan__schedule_version"), due_date__range=(start, end))
          .filter(Q(paid_off_on__isnull=True) | Q(paid_off_on__gt=unpaid_on))
          .select_related("loan", "loan__household", "loan__bank"))
    return qs.filter(principal__gt=F("principal_paid")) if principal_only else qs


def ledger_loans(*, user, region: str = "", as_of: dt.date, bank: int | None = None):
    """The 台账 of ``as_of`` (DOMAIN §10, issue #13 §4): the loans visible to ``user`` under the region prefix
    (and of one bank), disbursed by that day and not closed before it, each with its figures as of the end of
    the day (``loans.ledger``), by loan number. An iterator over chunks of 2,000 loans."""
    return ledger.ledger_loans(loan_list(user=user, region=region, bank=bank), as_of)


def ledger_loan_count(*, user, region: str = "", as_of: dt.date, bank: int | None = None) -> int:
    """At most the number of rows ``ledger_loans`` yields (a loan closed before D by an event is left out)."""
    return ledger.ledger_loan_queryset(loan_list(user=user, region=region, bank=bank), as_of).count()


def loans_on_ledger(day: dt.date) -> list[tuple[str, str, int]]:
    """(bank code, loan number, household id) of every loan outstanding at the end of ``day``: disbursed by it,
    not closed by it (the cached closing day), disbursement not reversed — the households' other loans the
    reconciliation of a ledger of that day counts (DOMAIN §4: one policy loan at a time)."""
    qs = ledger.ledger_loan_queryset(Loan.objects.all(), day).exclude(closed_on=day)
    return list(qs.values_list("bank__code", "number", "household_id"))


def balances_on(day: dt.date, bank_ids) -> dict[tuple[str, str], int]:
    """{(bank code, loan number): balance in fen at the end of ``day``} of the banks' loans on the ledger of
    that day — what a bank's ledger of that day is compared with (DOMAIN §10). Figures by `loans.ledger`
    (= `loan_state` on the events up to the day)."""
    codes = dict(bank_list().values_list("id", "code"))
    return {(codes[x.bank_id], x.number): x.balance
            for x in ledger.ledger_loans(Loan.objects.filter(bank_id__in=list(bank_ids)), day)}
