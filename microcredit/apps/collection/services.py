"""Writes on collection cases (催收, DOMAIN §8, issue #12 §3).

``cases_after_close(day)`` runs at the end of every daily close, inside its transaction
(``core.panels.register_after_close``): set-based — a handful of queries whatever the number of
loans — it opens one case per loan overdue after the close, resolves the cases whose loan is no
longer overdue, moves each case to the level its days past due call for (recorded in the history)
and marks promises whose date passed unpaid as broken. ``action_record`` records a visit or call
(audited); ``case_close`` closes a resolved case.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from microcredit.apps.accounts.scope import SYSTEM
from microcredit.apps.audit.services import record_audit
from microcredit.apps.collection.models import Action, Case, CaseEvent
from microcredit.apps.collection.selectors import case_list
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.documents import document_errors, sniffed_type
from microcredit.apps.loans.selectors import LoanStatus, loan_list
from microcredit.domain import collection as rules
from microcredit.domain.errors import ConflictError, DomainError
from microcredit.domain.money import fen_to_yuan

BATCH = 1000

AUDIT_ACTIONS = {
    "collection.sync": "日终更新催收案件",
    "collection.action": "登记催收",
    "collection.close": "催收案件结案",
}


RESOLVED_NOTES = {
    LoanStatus.SETTLED: "贷款已结清，催收案件自动化解",
    LoanStatus.RENEWED: "贷款已续贷，催收案件自动化解",
    LoanStatus.WRITTEN_OFF: "贷款已核销（代偿后银行继续追偿），催收案件自动化解",
}


class CollectionError(DomainError):
    """A visit or call that cannot be recorded (the field and the Chinese reason)."""


class CollectionRefused(ConflictError):
    """Not allowed as things stand: no permission, outside the user's scope, the case closed."""


def _chunks(items: list, size: int = BATCH):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def cases_after_close(day: dt.date) -> dict[str, int]:
    """Bring the collection cases in line with the loans after the close of ``day`` (set-based).

    Every active loan with ``days_past_due`` ≥ 1 has exactly one open case (opened here when it has
    none — a loan falling overdue again gets a new case); an open case whose loan is no longer
    overdue (repaid, settled, written off) is resolved with a note; each open case's days past due,
    amount and level follow the loan (a level change is recorded); a promise whose date is before
    ``day`` becomes a broken promise (the loan is still overdue, else the case was resolved).
    """
    overdue = {row[0]: row for row in loan_list(user=SYSTEM).filter(
        status=LoanStatus.ACTIVE, days_past_due__gte=1).order_by().values_list(
        "id", "region_code", "bank_id", "days_past_due", "overdue_principal", "overdue_interest", "penalty_owed")}
    open_cases = {c.loan_id: c for c in Case.objects.filter(state__in=rules.OPEN_STATES).only(
        "id", "loan_id", "state", "band", "days_past_due", "overdue_amount", "promised_on", "region_code", "bank_id")}
    events: list[CaseEvent] = []
    counts = {"opened": 0, "resolved": 0, "escalated": 0, "broken": 0}

    # 1. Resolve the open cases whose loan is no longer overdue.
    gone = [lid for lid in open_cases if lid not in overdue]
    if gone:
        statuses: dict[int, str] = {}
        for ids in _chunks(gone):
            statuses.update(loan_list(user=SYSTEM, ids=ids).order_by().values_list("id", "status"))
        resolve = []
        for lid in gone:
            case = open_cases.pop(lid)
            status = statuses.get(lid, "")
            note = RESOLVED_NOTES.get(status, "贷款已还清逾期本息，不再逾期，催收案件自动化解")
            events.append(CaseEvent(case_id=case.pk, kind=CaseEvent.Kind.RESOLVED, on=day, from_state=case.state,
                                    to_state=rules.RESOLVED, note=note))
            resolve.append(case.pk)
        for ids in _chunks(resolve):
            Case.objects.filter(pk__in=ids).update(state=rules.RESOLVED, state_entered_on=day, resolved_on=day,
                                                   updated_on=day, days_past_due=0, overdue_amount=0)
        counts["resolved"] = len(resolve)

    # 2. Follow the loans of the open cases: days, amount, level; broken promises.
    changed: list[Case] = []
    for lid, case in open_cases.items():
        _id, region, bank_id, dpd, op, oi, pen = overdue[lid]
        amount, band = op + oi + pen, rules.band_for(dpd)
        dirty = (case.days_past_due, case.overdue_amount, case.region_code, case.bank_id) != (dpd, amount, region, bank_id)
        if band != case.band:
            up = rules.is_escalation(case.band, band)
            note = f"逾期 {dpd} 天，转{_band_owner(band)}"
            if band == rules.CLAIM:
                note += "；建议提出风险补偿金代偿申请"
            events.append(CaseEvent(case_id=case.pk, kind=CaseEvent.Kind.ESCALATED if up else CaseEvent.Kind.DEESCALATED,
                                    on=day, from_band=case.band, to_band=band, note=note))
            counts["escalated"] += up
            case.band, dirty = band, True
        if case.state == rules.PROMISE and rules.promise_broken(case.promised_on, day):
            events.append(CaseEvent(case_id=case.pk, kind=CaseEvent.Kind.BROKEN, on=day, from_state=case.state,
                                    to_state=rules.BROKEN,
                                    note=f"承诺于 {case.promised_on} 还款，到期仍逾期 {dpd} 天"))
            case.state, case.state_entered_on, dirty = rules.BROKEN, day, True
            counts["broken"] += 1
        if dirty:
            case.days_past_due, case.overdue_amount, case.region_code, case.bank_id = dpd, amount, region, bank_id
            case.updated_on = day
            changed.append(case)
    for rows in _chunks(changed):
        Case.objects.bulk_update(rows, ["days_past_due", "overdue_amount", "band", "state", "state_entered_on",
                                        "region_code", "bank_id", "updated_on"])

    # 3. Open a case for each overdue loan without one.
    new = []
    for lid in sorted(set(overdue) - set(open_cases)):
        _id, region, bank_id, dpd, op, oi, pen = overdue[lid]
        new.append(Case(loan_id=lid, region_code=region, bank_id=bank_id, state=rules.OPEN, band=rules.band_for(dpd),
                        opened_on=day, state_entered_on=day, updated_on=day, days_past_due=dpd,
                        overdue_amount=op + oi + pen))
    for rows in _chunks(new):
        for case in Case.objects.bulk_create(rows):
            note = f"日终批处理：逾期 {case.days_past_due} 天，由{_band_owner(case.band)}催收"
            if case.band == rules.CLAIM:
                note += "；建议提出风险补偿金代偿申请"
            events.append(CaseEvent(case_id=case.pk, kind=CaseEvent.Kind.OPENED, on=day, to_state=rules.OPEN,
                                    to_band=case.band, note=note))
    counts["opened"] = len(new)
    CaseEvent.objects.bulk_create(events, batch_size=BATCH)
    if any(counts.values()):
        record_audit(actor=None, action="collection.sync", object_type="collection.case", object_id=str(day),
                     object_repr=f"{day} 催收案件", after={SYNC_WORDS[k]: n for k, n in counts.items()})
    return counts


SYNC_WORDS = {"opened": "立案", "resolved": "化解", "escalated": "升级", "broken": "承诺到期未还"}
BAND_OWNERS = {rules.VILLAGE: "村级", rules.TOWNSHIP: "乡镇", rules.COUNTY: "县级", rules.CLAIM: "县级（代偿）"}


def _band_owner(band: str) -> str:
    return BAND_OWNERS[band]


def _lock(case: Case | int) -> Case:
    pk = case.pk if isinstance(case, Case) else case
    return Case.objects.select_for_update().get(pk=pk)


def _may_act(case: Case, actor) -> None:
    if not actor.has_perm("collection.record_action"):
        raise CollectionRefused("case", "无权登记催收")
    if not case_list(user=actor, ids=[case.pk]).exists():
        raise CollectionRefused("case", "该催收案件不在您的管辖范围内或不是本行的贷款")


@transaction.atomic
def action_record(*, case: Case | int, actor, channel: str, result: str, on: dt.date | None = None,
                  note: str = "", promised_on: dt.date | None = None, promised_amount: int | None = None,
                  photo=None, via_api: bool = False) -> Action:
    """Record a visit or call on an open case (DOMAIN §8): who, when, channel, result, promise,
    photo, note; the case moves by ``domain.collection.TRANSITIONS``. Refused with every reason."""
    case = _lock(case)
    _may_act(case, actor)
    today = business_date()
    data = rules.ActionInput(on=on or today, channel=channel, result=result, note=note or "",
                             promised_on=promised_on, promised_amount=promised_amount)
    errors = rules.action_errors(data, today=today, opened_on=case.opened_on, state=case.state)
    if photo:
        errors += document_errors(photo, "photo")
    if errors:
        if errors[0].field == "case":
            raise CollectionRefused.from_errors(errors)
        raise CollectionError(errors[0].field, "；".join(e.message for e in errors))
    target = rules.next_state(case.state, rules.action_event(result))
    action = Action.objects.create(case=case, on=data.on, actor=actor, channel=channel, result=result,
                                   promised_on=promised_on, promised_amount=promised_amount, note=data.note,
                                   photo=photo or "", photo_type=sniffed_type(photo) if photo else "", via_api=via_api)
    before = {"state": case.state, "promised_on": case.promised_on, "promised_amount": case.promised_amount}
    event_note = f"{action.get_channel_display()}：{action.get_result_display()}"
    if result == "promise":
        case.promised_on, case.promised_amount = promised_on, promised_amount
        event_note += f"，承诺 {promised_on} 还款 {fen_to_yuan(promised_amount)} 元"
    if data.note:
        event_note += f"。{data.note}"
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.ACTION, on=data.on, from_state=case.state,
                             to_state=target, actor=actor, note=event_note[:500])
    if target != case.state:
        case.state, case.state_entered_on = target, today
    case.last_action_on = max(case.last_action_on or data.on, data.on)
    case.updated_on = today
    case.save(update_fields=["state", "state_entered_on", "promised_on", "promised_amount", "last_action_on",
                             "updated_on"])
    record_audit(actor=actor, action="collection.action", obj=action, before=before,
                 after={"state": case.state, "on": data.on, "channel": channel, "result": result,
                        "promised_on": promised_on, "promised_amount": promised_amount,
                        "photo": getattr(photo, "name", "")[:120] if photo else ""},
                 region_code=case.region_code, household_id=case.loan.household_id, note=data.note[:200])
    return action


@transaction.atomic
def case_close(*, case: Case | int, actor, note: str = "") -> Case:
    """Close a resolved case (结案), with an optional note."""
    case = _lock(case)
    _may_act(case, actor)
    if len(note) > rules.MAX_NOTE:
        raise CollectionError("note", f"结案说明不能超过 {rules.MAX_NOTE} 个字")
    target = rules.next_state(case.state, rules.CLOSE)
    if target is None:
        raise CollectionRefused("case", "只有已化解的案件才能结案（贷款仍逾期时由日终批处理跟进）")
    today = business_date()
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.CLOSED, on=today, from_state=case.state, to_state=target,
                             actor=actor, note=note or "结案")
    before = case.state
    case.state, case.state_entered_on, case.closed_on, case.updated_on = target, today, today, today
    case.save(update_fields=["state", "state_entered_on", "closed_on", "updated_on"])
    record_audit(actor=actor, action="collection.close", obj=case, before={"state": before},
                 after={"state": target}, region_code=case.region_code, household_id=case.loan.household_id, note=note)
    return case
