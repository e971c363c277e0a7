"""Servicing writes on loans (DOMAIN §5.3, §4, §12): repayment, early settlement, extension,
renewal, write-off and reversal (the reads they build on are in ``loans.selectors``). Each is one
transaction that locks the loan row first (`select_for_update`, so two postings at the same moment
cannot lose an update), adds an immutable `LoanEvent`, rebuilds the cached state from all events
(`loan_refresh_state`) and records an audit row on the household's timeline.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F

from microcredit.apps.audit.services import record_audit, user_or_none
from microcredit.apps.core.clock import business_date
from microcredit.apps.loans.models import Channel, EventKind, Installment, Loan, LoanEvent, LoanStatus, SubsidyMode
from microcredit.apps.loans.selectors import loan_current_state, loan_payments, loan_schedule, loan_terms
from microcredit.apps.loans.services import loan_open, one_active_guard
from microcredit.batch.basis import basis_of, next_due_date
from microcredit.domain.classification import effective_class
from microcredit.domain.errors import ConflictError, DomainError
from microcredit.domain.guards import check_money_date
from microcredit.domain.money import fen_to_yuan
from microcredit.domain.restructuring import extend, renew
from microcredit.domain.servicing import LoanState, Payment, loan_state, settlement_quote

CACHE_FIELDS = ["state_as_of", "principal_outstanding", "overdue_principal", "overdue_interest",
                "penalty_owed", "advance", "days_past_due", "classification", "next_due_date",
                "basis_on", "basis_advance", "closed_on", "status"]


class ServicingError(DomainError):
    """A refused servicing action (field + Chinese message)."""


def loan_refresh_state(loan: Loan, as_of: dt.date | None = None) -> LoanState:
    """Rebuild the cached state (loan columns + per-instalment paid parts) from events."""
    schedule, terms, payments = loan_schedule(loan), loan_terms(loan), loan_payments(loan, as_of)
    basis = basis_of(schedule, terms, payments)
    rows = {r.seq: r for r in Installment.objects.filter(loan=loan, schedule_version=loan.schedule_version)}
    changed = []
    for b in basis.installments:
        r = rows[b.seq]
        new = (b.principal_paid, b.interest_paid, b.penalty_paid, b.fen_days, b.accrued_to, b.paid_off_on)
        if (r.principal_paid, r.interest_paid, r.penalty_paid, r.penalty_fen_days, r.accrued_to, r.paid_off_on) != new:
            (r.principal_paid, r.interest_paid, r.penalty_paid, r.penalty_fen_days, r.accrued_to, r.paid_off_on) = new
            changed.append(r)
    Installment.objects.bulk_update(changed, ["principal_paid", "interest_paid", "penalty_paid",
                                              "penalty_fen_days", "accrued_to", "paid_off_on"])
    day = max(as_of or business_date(), basis.on)
    state = loan_state(schedule, terms, payments, day)
    loan.state_as_of = day
    loan.principal_outstanding = state.principal_outstanding
    loan.overdue_principal = state.overdue_principal
    loan.overdue_interest = state.overdue_interest
    loan.penalty_owed = state.penalty_owed
    loan.advance = state.advance
    loan.days_past_due = state.days_past_due
    # The manual floor (DOMAIN §5.4, ADR 0002 amendment): never better than the confirmed manual class.
    loan.classification = effective_class(state.classification, loan.manual_class, loan.manual_class_on, day)
    loan.next_due_date = next_due_date(state)
    loan.basis_on, loan.basis_advance = basis.on, basis.advance
    loan.closed_on = state.closed_on
    if loan.status in (LoanStatus.ACTIVE, LoanStatus.SETTLED):
        loan.status = LoanStatus.SETTLED if state.closed_on else LoanStatus.ACTIVE
    Loan.objects.filter(pk=loan.pk).update(**{f: getattr(loan, f) for f in CACHE_FIELDS}, version=F("version") + 1)
    return state


def _lock(loan: Loan | int) -> Loan:
    pk = loan.pk if isinstance(loan, Loan) else loan
    return Loan.objects.select_for_update().get(pk=pk)


def _actor(actor):
    return user_or_none(actor)


def _audit(loan: Loan, action: str, actor, before: dict | None, after: dict | None, note: str = "", obj=None):
    record_audit(actor=actor, action=action, obj=obj or loan, before=before, after=after,
                 region_code=loan.region_code, household_id=loan.household_id, note=note)


def _figures(loan: Loan) -> dict:
    return {f: getattr(loan, f) for f in ("principal_outstanding", "overdue_principal", "overdue_interest",
                                          "penalty_owed", "advance", "days_past_due", "classification", "status")}


def _require_active(loan: Loan) -> None:
    if loan.status != LoanStatus.ACTIVE:
        raise ServicingError("loan", f"贷款状态为“{loan.get_status_display()}”，不能办理此业务")


def _check_day(loan: Loan, on: dt.date) -> None:
    """A servicing event is dated between the disbursement and the business date (domain.guards)."""
    check_money_date(on, business_date(), earliest=loan.disbursed_on, earliest_label="放款日", field="on",
                     error=ServicingError)


# ---------------------------------------------------------------- repayment & settlement

def _allocation(before: LoanState, after: LoanState) -> dict:
    return {
        "penalty": after.penalty_paid - before.penalty_paid,
        "interest": after.interest_paid - before.interest_paid,
        "principal": after.principal_paid - before.principal_paid,
        "advance": after.advance - before.advance,
        "installments": [
            {"seq": a.seq, "principal": a.principal_paid - b.principal_paid,
             "interest": a.interest_paid - b.interest_paid, "penalty": a.penalty_paid - b.penalty_paid}
            for a, b in zip(after.installments, before.installments)
            if (a.principal_paid, a.interest_paid, a.penalty_paid) != (b.principal_paid, b.interest_paid, b.penalty_paid)
        ],
    }


@transaction.atomic
def repayment_post(*, loan: Loan | int, amount: int, on: dt.date, actor, idempotency_key: str | None = None,
                   reference: str = "", channel: str = "counter") -> tuple[LoanEvent, bool]:
    """Record a repayment (DOMAIN §5.3); returns (event, created).

    The same ``idempotency_key`` twice on a loan records one payment: the second call returns the
    first event with ``created=False`` (the key reused for another amount or date is refused).
    Keys are unique per loan, never across loans: one bank can neither block another bank's key
    nor learn that it was used (issue #9).
    """
    loan = _lock(loan)
    if idempotency_key:
        existing = LoanEvent.objects.filter(loan=loan, idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.amount != amount or existing.on != on:
                raise ConflictError("idempotency_key", "幂等键已用于另一笔不同的还款")  # 409 on the API
            return existing, False
    _require_active(loan)
    _check_day(loan, on)
    if amount <= 0:
        raise ServicingError("amount", "还款金额必须大于 0")
    schedule, terms, payments = loan_schedule(loan), loan_terms(loan), loan_payments(loan, on)
    before = loan_state(schedule, terms, payments, on)
    after = loan_state(schedule, terms, [*payments, Payment(on, amount)], on)
    old = _figures(loan)
    try:
        with transaction.atomic():
            event = LoanEvent.objects.create(
                loan=loan, kind=EventKind.REPAYMENT, on=on, amount=amount, idempotency_key=idempotency_key or None,
                reference=reference, created_by=_actor(actor),
                data={"channel": channel, "allocation": _allocation(before, after)})
    except IntegrityError:  # the loan row is locked, so only a key taken outside this service gets here
        raise ConflictError("idempotency_key", "幂等键已用于另一笔不同的还款") from None
    loan_refresh_state(loan)
    _audit(loan, "loan.repayment", actor, old, _figures(loan), obj=event,
           note=f"还款 {fen_to_yuan(amount)} 元（{dict(Channel.choices).get(channel, channel)}）")
    return event, True


@transaction.atomic
def settlement_post(*, loan: Loan | int, on: dt.date, actor, reference: str = "") -> LoanEvent:
    """Early settlement 提前结清 on ``on``: pays the quote and closes the loan (DOMAIN §5.3)."""
    loan = _lock(loan)
    _require_active(loan)
    _check_day(loan, on)
    schedule, terms, payments = loan_schedule(loan), loan_terms(loan), loan_payments(loan, on)
    quote = settlement_quote(schedule, terms, payments, on)
    if quote.total <= 0:
        raise ServicingError("amount", "无需支付：预收款已足以结清贷款")
    before = loan_state(schedule, terms, payments, on)
    after = loan_state(schedule, terms, [*payments, Payment(on, quote.total, "settlement")], on)
    old = _figures(loan)
    event = LoanEvent.objects.create(
        loan=loan, kind=EventKind.SETTLEMENT, on=on, amount=quote.total, reference=reference,
        created_by=_actor(actor), data={"quote": quote._asdict() | {"on": on.isoformat()},
                                        "allocation": _allocation(before, after)})
    loan_refresh_state(loan)
    _audit(loan, "loan.settlement", actor, old, _figures(loan), obj=event)
    return event


# ---------------------------------------------------------------- restructuring

@transaction.atomic
def loan_extend(*, loan: Loan | int, on: dt.date, actor, new_maturity: dt.date | None = None,
                extra_months: int | None = None, decision: str = "", max_extra_months: int | None = None) -> LoanEvent:
    """Extension 展期: a new maturity within the policy limits, with the recorded decision."""
    loan = _lock(loan)
    _require_active(loan)
    _check_day(loan, on)
    if not decision.strip():
        raise ServicingError("decision", "请填写展期审批意见（银行决定）")
    terms, schedule = loan_terms(loan), loan_schedule(loan)
    first = LoanEvent.objects.filter(loan=loan, kind=EventKind.EXTENSION).effective().order_by("id").first()
    original = first.data.get("old_term_months") if first else loan.term_months
    new_terms, new_schedule = extend(terms, schedule, loan_payments(loan, on), on=on, new_maturity=new_maturity,
                                     extra_months=extra_months, original_term_months=original,
                                     max_extra_months=max_extra_months)
    old = {"term_months": loan.term_months, "maturity_date": loan.maturity_date.isoformat(),
           "schedule_version": loan.schedule_version}
    version = (Installment.objects.filter(loan=loan).order_by("-schedule_version")
               .values_list("schedule_version", flat=True).first() or 1) + 1
    Installment.objects.bulk_create(
        Installment(loan=loan, schedule_version=version, seq=i.seq, period_start=i.period_start,
                    due_date=i.due_date, principal=i.principal, interest=i.interest)
        for i in new_schedule.installments)
    event = LoanEvent.objects.create(
        loan=loan, kind=EventKind.EXTENSION, on=on, created_by=_actor(actor),
        data={"old_term_months": loan.term_months, "old_maturity": loan.maturity_date.isoformat(),
              "old_version": loan.schedule_version, "new_term_months": new_terms.term_months,
              "new_maturity": new_schedule.maturity_date.isoformat(), "new_version": version,
              "decision": decision})
    loan.term_months, loan.maturity_date, loan.schedule_version = (
        new_terms.term_months, new_schedule.maturity_date, version)
    loan.save(update_fields=["term_months", "maturity_date", "schedule_version"])
    loan_refresh_state(loan)
    _audit(loan, "loan.extend", actor, old, {"term_months": loan.term_months,
                                             "maturity_date": loan.maturity_date.isoformat(),
                                             "schedule_version": version}, note=decision, obj=event)
    return event


@transaction.atomic
def loan_renew(*, loan: Loan | int, on: dt.date, new_term_months: int, actor,
               without_principal_repayment: bool = False, new_principal: int | None = None,
               decision: str = "") -> Loan:
    """Renewal 续贷 / 无还本续贷: a new loan on ``on`` that settles the old one (DOMAIN §4)."""
    loan = _lock(loan)
    _require_active(loan)
    _check_day(loan, on)
    plan = renew(loan_terms(loan), loan_schedule(loan), loan_payments(loan, on), on=on,
                 new_term_months=new_term_months, without_principal_repayment=without_principal_repayment,
                 new_principal=new_principal)
    # The old loan leaves "在贷" before the new one opens: one active loan per household (DOMAIN §4).
    Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.RENEWED, version=F("version") + 1)
    loan.status = LoanStatus.RENEWED
    new = loan_open(
        household=loan.household, borrower=loan.borrower, bank=loan.bank, principal=plan.new_terms.principal,
        annual_rate=loan.annual_rate, cap_rate=loan.cap_rate, disbursed_on=on, term_months=new_term_months,
        method=loan.method, policy_era=loan.policy_era, actor=actor, subsidy_ratio=loan.subsidy_ratio,
        usage_mode=loan.usage_mode, industry=loan.industry, purpose=loan.purpose,
        account_number=loan.account_number, branch=loan.branch, renewed_from=loan, subsidy_mode=loan.subsidy_mode,
        subsidy_max_years=loan.subsidy_max_years)
    old = _figures(loan)
    event = LoanEvent.objects.create(
        loan=loan, kind=EventKind.RENEWAL, on=on, amount=plan.old_loan_payment.amount if plan.old_loan_payment else 0,
        created_by=_actor(actor),
        data={"new_loan": new.pk, "new_number": new.number, "without_principal_repayment": without_principal_repayment,
              "cash_from_borrower": plan.cash_from_borrower, "quote": plan.quote._asdict() | {"on": on.isoformat()},
              "decision": decision})
    loan_refresh_state(loan)
    _audit(loan, "loan.renew", actor, old, _figures(loan) | {"new_loan": new.number}, note=decision, obj=event)
    return new


@transaction.atomic
def loan_write_off(*, loan: Loan | int, on: dt.date, actor, reason: str) -> LoanEvent:
    """Write-off 核销: the outstanding principal leaves the books; events stay (DOMAIN §5)."""
    loan = _lock(loan)
    _require_active(loan)
    _check_day(loan, on)
    if not reason.strip():
        raise ServicingError("reason", "请填写核销原因")
    state = loan_current_state(loan, on)
    old = _figures(loan)
    event = LoanEvent.objects.create(loan=loan, kind=EventKind.WRITE_OFF, on=on, amount=state.principal_outstanding,
                                     created_by=_actor(actor), data={"reason": reason})
    Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.WRITTEN_OFF, version=F("version") + 1)
    loan.status = LoanStatus.WRITTEN_OFF
    _audit(loan, "loan.write_off", actor, old, _figures(loan), note=reason, obj=event)
    return event


# ---------------------------------------------------------------- subsidy mode

@transaction.atomic
def loan_subsidy_mode_change(*, loan: Loan | int, mode: str, effective_from: dt.date, actor, reason: str = "") -> Loan:
    """Change the loan's subsidy mode (先收后补 ⇄ 直接贴付) for the periods due on or after
    ``effective_from`` (ADR 0004 amendment); earlier periods keep the mode they had. The change is kept on
    the loan (``subsidy_mode_changes``), the cached state is rebuilt and the change is audited."""
    loan = _lock(loan)
    _require_active(loan)
    if mode not in SubsidyMode.values:
        raise ServicingError("mode", "贴息方式须为先收后补或直接贴付")
    if mode == loan.subsidy_mode:
        raise ServicingError("mode", f"贷款的贴息方式已是{SubsidyMode(mode).label}")
    if not isinstance(effective_from, dt.date):
        raise ServicingError("effective_from", "请填写生效日期")
    if effective_from < loan.disbursed_on:
        raise ServicingError("effective_from", "生效日期不能早于放款日")
    changes = list(loan.subsidy_mode_changes or [])
    if changes and effective_from < dt.date.fromisoformat(changes[-1]["effective_from"]):
        raise ServicingError("effective_from", f"生效日期不能早于上次变更的生效日期（{changes[-1]['effective_from']}）")
    before = {"subsidy_mode": loan.subsidy_mode, "subsidy_mode_changes": loan.subsidy_mode_changes}
    changes.append({"effective_from": effective_from.isoformat(), "mode": mode, "before": loan.subsidy_mode})
    loan.subsidy_mode, loan.subsidy_mode_changes = mode, changes
    Loan.objects.filter(pk=loan.pk).update(subsidy_mode=mode, subsidy_mode_changes=changes, version=F("version") + 1)
    loan_refresh_state(loan)
    _audit(loan, "loan.subsidy_mode", actor, before, {"subsidy_mode": mode, "subsidy_mode_changes": changes},
           note=f"自 {effective_from.isoformat()} 起到期的各期改为{SubsidyMode(mode).label}" + (f"：{reason}" if reason else ""))
    return loan


# ---------------------------------------------------------------- reversal

REVERSIBLE = (EventKind.REPAYMENT, EventKind.SETTLEMENT, EventKind.EXTENSION, EventKind.WRITE_OFF, EventKind.RENEWAL)


@transaction.atomic
def event_reverse(*, event: LoanEvent | int, actor, reason: str) -> LoanEvent:
    """Reverse (冲正) an event: a reversal row; the state is rebuilt as if it never happened."""
    pk = event.pk if isinstance(event, LoanEvent) else event
    loan = _lock(LoanEvent.objects.values_list("loan_id", flat=True).get(pk=pk))
    event = LoanEvent.objects.get(pk=pk)
    if not reason.strip():
        raise ServicingError("reason", "请填写冲正原因")
    if event.kind not in REVERSIBLE:
        raise ServicingError("event", f"“{event.get_kind_display()}”事件不能冲正")
    if LoanEvent.objects.filter(reverses=event).exists():
        raise ServicingError("event", "该事件已冲正")
    old = _figures(loan)
    # Reversing a write-off, renewal or settlement makes the loan 在贷 again: refused cleanly when
    # the household has another 在贷 loan by now (DOMAIN §4; the database constraint is the backstop).
    with one_active_guard(loan.household, exclude=loan, error=ServicingError, field="event"):
        reversal = _reverse_writes(loan, event, actor, reason)
    _audit(loan, "loan.reverse", actor, old, _figures(loan), note=f"冲正{event.get_kind_display()} #{event.pk}：{reason}",
           obj=reversal)
    return reversal


def _reverse_writes(loan: Loan, event: LoanEvent, actor, reason: str) -> LoanEvent:
    if event.kind == EventKind.EXTENSION:
        if LoanEvent.objects.filter(loan=loan, kind=EventKind.EXTENSION, id__gt=event.id).effective().exists():
            raise ServicingError("event", "请先冲正其后的展期")
        loan.term_months = event.data["old_term_months"]
        loan.maturity_date = dt.date.fromisoformat(event.data["old_maturity"])
        loan.schedule_version = event.data["old_version"]
        loan.save(update_fields=["term_months", "maturity_date", "schedule_version"])
    elif event.kind == EventKind.WRITE_OFF:
        Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.ACTIVE, version=F("version") + 1)
        loan.status = LoanStatus.ACTIVE
    elif event.kind == EventKind.RENEWAL:
        new = Loan.objects.select_for_update().get(pk=event.data["new_loan"])
        if LoanEvent.objects.filter(loan=new).exclude(kind=EventKind.DISBURSEMENT).effective().exists():
            raise ServicingError("event", "续贷新贷款已有还款等业务，不能冲正续贷")
        disb = LoanEvent.objects.get(loan=new, kind=EventKind.DISBURSEMENT)
        LoanEvent.objects.create(loan=new, kind=EventKind.REVERSAL, on=event.on, reverses=disb,
                                 created_by=_actor(actor), data={"reason": f"续贷冲正：{reason}"})
        Loan.objects.filter(pk=new.pk).update(status=LoanStatus.SETTLED, principal_outstanding=0, version=F("version") + 1)
        Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.ACTIVE, version=F("version") + 1)
        loan.status = LoanStatus.ACTIVE
    elif loan.status == LoanStatus.SETTLED:
        loan.status = LoanStatus.ACTIVE
    reversal = LoanEvent.objects.create(loan=loan, kind=EventKind.REVERSAL, on=business_date(), reverses=event,
                                        amount=event.amount, created_by=_actor(actor), data={"reason": reason})
    if loan.status != LoanStatus.WRITTEN_OFF:
        loan_refresh_state(loan)
    return reversal
