"""Manual classification moves (DOMAIN §5.4; issue #12 §11): a downgrade at any time with its reason, an
upgrade after 3 months' regular payment — proposed by the bank, confirmed by the county office through the
workflow kit (``domain.workflow.CLASSIFICATION_MOVE``, ADR 0007). The confirmation sets the loan's manual
floor (``Loan.manual_class``), which the daily close and every refresh apply over the class by days past
due (``domain.classification.effective_class``, ADR 0002 amendment), and writes the move to the loan's
delinquency history (``ClassificationMove``, cause manual).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F

from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.workflow import actor_or_none, is_admin, transition_take
from microcredit.apps.loans.models import (ClassificationMove, ClassificationProposal, ClassificationProposalStep,
                                           Loan, LoanStatus, MoveCause, ProposalDirection)
from microcredit.apps.loans.selectors import loan_current_state, loans_visible
from microcredit.domain.access import BANK
from microcredit.domain.classification import (CLASSES, UPGRADE_REASON, downgrade_errors, effective_class,
                                               upgrade_errors)
from microcredit.domain.errors import DomainError
from microcredit.domain.workflow import CLASSIFICATION_MOVE

OPEN = ("proposed",)


class ReclassError(DomainError):
    """A manual class move that the rule refuses (field + Chinese message)."""


def _facts(loan: Loan, on: dt.date) -> tuple[str, str, dt.date | None, list]:
    """(class by days past due, current class, latest manual move's day, instalments) as of ``on``."""
    state = loan_current_state(loan, on)
    computed = state.classification
    current = effective_class(computed, loan.manual_class, loan.manual_class_on, on)
    last = (ClassificationMove.objects.filter(loan=loan, cause=MoveCause.MANUAL)
            .order_by("-on", "-id").values_list("on", flat=True).first())
    return computed, current, last, [(i.due_date, i.paid_off_on) for i in state.installments]


def rule_errors(loan: Loan, *, to_class: str, reason: str, reason_text: str, on: dt.date):
    """(direction, current class, the rule's refusals) for moving ``loan`` to ``to_class`` on ``on``."""
    computed, current, last, installments = _facts(loan, on)
    if to_class in CLASSES and current in CLASSES and CLASSES.index(to_class) < CLASSES.index(current):
        errors = upgrade_errors(current=current, target=to_class, computed=computed, on=on, last_manual_on=last,
                                installments=installments, reason_text=reason_text)
        return ProposalDirection.UP, current, errors
    return ProposalDirection.DOWN, current, downgrade_errors(current=current, target=to_class, reason=reason,
                                                             reason_text=reason_text)


def _refuse(errors) -> None:
    if errors:  # every failure at once, the first one's field
        raise ReclassError(errors[0].field, "；".join(e.message for e in errors))


@transaction.atomic
def classification_propose(*, loan: Loan | int, to_class: str, reason: str, actor, reason_text: str = "",
                           on: dt.date | None = None, via_api: bool = False) -> ClassificationProposal:
    """The bank proposes a manual move of its loan (refused with every reason of the rule at once)."""
    on = on or business_date()
    pk = getattr(loan, "pk", loan)
    person = actor_or_none(actor)
    if person is not None and not is_admin(person):
        if getattr(person, "role", "") != BANK:
            raise ReclassError("role", "五级分类调整由贷款银行提出")
        if not loans_visible(user=person).filter(pk=pk).exists():
            raise ReclassError("loan", "该贷款不在您的管辖范围内或不是本行的贷款")
    loan = Loan.objects.select_for_update().get(pk=pk)
    if loan.status != LoanStatus.ACTIVE:
        raise ReclassError("loan", f"贷款状态为“{loan.get_status_display()}”，不能调整分类")
    if on > business_date():
        raise ReclassError("on", "调整日期不能晚于业务日期")
    if ClassificationProposal.objects.filter(loan=loan, state__in=OPEN).exists():
        raise ReclassError("loan", "该贷款已有待确认的分类调整")
    direction, current, errors = rule_errors(loan, to_class=to_class, reason=reason, reason_text=reason_text, on=on)
    _refuse(errors)
    proposal = ClassificationProposal.objects.create(
        loan=loan, direction=direction, from_class=current, to_class=to_class,
        reason=UPGRADE_REASON if direction == ProposalDirection.UP else reason, reason_text=reason_text.strip(),
        state=CLASSIFICATION_MOVE.initial, state_entered_on=on, proposed_on=on, proposed_by=person)
    ClassificationProposalStep.objects.create(proposal=proposal, from_state="", action="propose",
                                              to_state=proposal.state, actor=person,
                                              actor_role=getattr(person, "role", "") if person else "",
                                              on=on, opinion=reason_text.strip(), via_api=via_api)
    record_audit(actor=actor, action="classification.propose", obj=proposal,
                 after={"from": current, "to": to_class, "reason": proposal.reason},
                 region_code=loan.region_code, household_id=loan.household_id, note=reason_text[:200])
    return proposal


@transaction.atomic
def classification_transition(*, proposal: ClassificationProposal | int, action: str, actor, opinion: str = "",
                              on: dt.date | None = None, via_api: bool = False) -> ClassificationProposal:
    """The county office confirms (the rule re-checked on the day; the floor set, the move recorded) or
    rejects a proposal."""
    on = on or business_date()
    if on > business_date():
        raise ReclassError("on", "确认日期不能晚于业务日期")

    def effect(item: ClassificationProposal, _t) -> None:
        if action != "approve":
            return
        loan = Loan.objects.select_for_update().get(pk=item.loan_id)
        if loan.status != LoanStatus.ACTIVE:
            raise ReclassError("loan", f"贷款状态为“{loan.get_status_display()}”，不能调整分类")
        _direction, current, errors = rule_errors(loan, to_class=item.to_class, reason=item.reason,
                                                  reason_text=item.reason_text, on=on)
        _refuse(errors)
        floor = "" if item.to_class == "normal" else item.to_class
        computed = loan_current_state(loan, on).classification
        new = effective_class(computed, floor, on, on)
        ClassificationMove.objects.create(loan=loan, on=on, from_class=current, to_class=new, cause=MoveCause.MANUAL,
                                          reason=item.reason, reason_text=item.reason_text,
                                          actor=actor_or_none(actor), proposal=item)
        # A servicing write: the version moves, so a close running now recomputes this loan (ADR 0002).
        Loan.objects.filter(pk=loan.pk).update(manual_class=floor, manual_class_on=on, classification=new,
                                               version=F("version") + 1)

    proposal = transition_take(CLASSIFICATION_MOVE, proposal, action, actor=actor, opinion=opinion, on=on,
                               via_api=via_api, effect=effect)
    record_audit(actor=actor, action=f"classification.{action}", obj=proposal,
                 before={"state": proposal.taken.from_state, "class": proposal.from_class},
                 after={"state": proposal.state, "class": proposal.to_class}, region_code=proposal.loan.region_code,
                 household_id=proposal.loan.household_id, note=opinion[:200])
    return proposal
