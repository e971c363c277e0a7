"""Writes of the problem ledger (DOMAIN §8, §12; issue #12 §6): open a case (by hand or by a machine
check, deduplicated by key), take its steps through the workflow kit, attach evidence. Every write is
one transaction and audited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from microcredit.apps.accounts.scope import SYSTEM
from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.documents import document_errors
from microcredit.apps.core.workflow import (
    WorkflowRefused,
    actor_or_none,
    transition_take,
)
from microcredit.apps.problems.models import Case, CaseDocument, CaseStep
from microcredit.apps.reference.selectors import bank_list
from microcredit.apps.regions.selectors import regions_in_scope
from microcredit.domain.errors import DomainError, FieldError
from microcredit.domain.problems import (
    OPEN_STATES,
    SOURCES,
    assign_errors,
    closing_errors,
    open_errors,
    rectify_errors,
)
from microcredit.domain.workflow import PROBLEM_CASE

__all__ = ["AUDIT_ACTIONS", "MAX_DOCUMENTS", "FoundProblem", "ProblemError", "case_add_document", "case_transition",
           "problem_open", "problems_found"]

MAX_DOCUMENTS = 10
AUDIT_ACTIONS = {
    "problem_open": _("登记问题"), "problem_found_again": _("再次发现问题"), "problem_assign": _("交办整改"),
    "problem_rectify": _("报送整改结果"), "problem_verify": _("核验整改"), "problem_close": _("问题销号"),
    "problem_return": _("退回问题"), "problem_reject": _("撤销问题"), "problem_document": _("上传整改佐证"),
}


class ProblemError(DomainError):
    """A case that may not be opened, assigned, rectified or closed as asked (422)."""


def _refuse(errors, cls=ProblemError):
    if errors:
        raise cls.from_errors(errors)


def _region_ok(code: str, actor) -> bool:
    """The region exists and lies in the person's scope (the system: anywhere)."""
    who = actor_or_none(actor)
    return regions_in_scope(user=who if who is not None else SYSTEM).filter(code=code).exists()


@transaction.atomic
def problem_open(*, source: str, region_code: str, title: str, description: str = "", evidence: list | None = None,
                 household_id: int | None = None, loan_id: int | None = None, bank_code: str = "", subject: str = "",
                 dedupe_key: str | None = None, actor, on: dt.date | None = None) -> Case:
    """Open a case (DOMAIN §8), or — when ``dedupe_key`` names an open case — bring that case up to date
    (its description and evidence, how often and when last found) instead of opening a second one.

    Other apps call this for machine-found problems (late payouts, reconciliation); a person opens one
    from the ledger's form. A person's case must lie in their scope.
    """
    on = on or business_date()
    region_code, title, subject = (region_code or "").strip(), (title or "").strip(), (subject or "").strip()
    errors = open_errors(source=source, region_code=region_code, title=title, description=description or "",
                         evidence=evidence, dedupe_key=dedupe_key)
    if not any(e.field == "region_code" for e in errors) and not _region_ok(region_code, actor):
        errors.append(FieldError("region_code", "所属区划：不存在或不在您的管辖范围内"))
    if len(subject) > 200:
        errors.append(FieldError("subject", "涉及对象：最多 200 字"))
    bank = None
    if bank_code:
        bank = bank_list().filter(code=bank_code[:16]).first()
        if bank is None:
            errors.append(FieldError("bank", "关联银行：没有这家银行"))
    _refuse(errors)
    if dedupe_key:
        case = Case.objects.select_for_update().filter(dedupe_key=dedupe_key, state__in=OPEN_STATES).first()
        if case is not None:
            return _found_again(case, description=description or "", evidence=evidence, on=on, actor=actor)
    fields = dict(source=source, region_code=region_code, title=title, description=description or "",
                  evidence=evidence, household_id=household_id, loan_id=loan_id, bank=bank, subject=subject,
                  dedupe_key=dedupe_key or None, state=PROBLEM_CASE.initial, state_entered_on=on, due_anchor=on,
                  last_found_on=on, opened_on=on, opened_by=actor_or_none(actor), number=uuid.uuid4().hex[:24])
    try:
        with transaction.atomic():
            case = Case.objects.create(**fields)
    except IntegrityError:  # another transaction opened the same key's case first
        case = Case.objects.select_for_update().filter(dedupe_key=dedupe_key, state__in=OPEN_STATES).first()
        if case is None:
            raise
        return _found_again(case, description=description or "", evidence=evidence, on=on, actor=actor)
    case.number = f"WT{on:%Y}{case.pk:06d}"
    case.save(update_fields=["number"])
    CaseStep.objects.create(case=case, from_state="", action="open", to_state=case.state, actor=actor_or_none(actor),
                            actor_role=getattr(actor_or_none(actor), "role", "") or "", on=on)
    record_audit(actor=actor, action="problem_open", obj=case, region_code=region_code, household_id=household_id,
                 after={"source": source, "title": title, "dedupe_key": dedupe_key or ""})
    return case


@dataclass(frozen=True)
class FoundProblem:
    """A problem a machine check found (`problems_found`): ``dedupe_key`` names it across runs."""

    dedupe_key: str
    region_code: str
    title: str
    description: str = ""
    evidence: list | None = None
    household_id: int | None = None
    bank_id: int | None = None
    subject: str = ""


BULK = 500  # cases per query


@transaction.atomic
def problems_found(*, source: str, found: list[FoundProblem], actor, on: dt.date | None = None) -> dict[str, int]:
    """Open a case for each problem not already open, bring the open ones up to date — in bulk, for
    checks that find hundreds at once (the reconciliation of bank ledgers, DOMAIN §10). The same rules
    as `problem_open` (``domain.problems.open_errors``); a problem that breaks them is refused as a
    whole batch (a machine check's own defect, never the user's). One audit row for the batch; each
    case keeps its opening step.

    Returns:
        {"opened": n, "found_again": m}.
    """
    on = on or business_date()
    errors = [e for f in found for e in open_errors(source=source, region_code=f.region_code, title=f.title,
                                                       description=f.description, evidence=f.evidence,
                                                       dedupe_key=f.dedupe_key)]
    _refuse(errors[:20])
    by_key = {f.dedupe_key: f for f in found}
    keys = list(by_key)
    existing = []
    for start in range(0, len(keys), BULK):
        existing += Case.objects.select_for_update().filter(dedupe_key__in=keys[start:start + BULK],
                                                            state__in=OPEN_STATES)
    for case in existing:
        f = by_key.pop(case.dedupe_key)
        case.found_count, case.last_found_on = case.found_count + 1, on
        case.description, case.evidence = f.description or case.description, f.evidence
    Case.objects.bulk_update(existing, ["found_count", "last_found_on", "description", "evidence"], batch_size=BULK)
    who = actor_or_none(actor)
    new = [Case(source=source, region_code=f.region_code, title=f.title, description=f.description,
                evidence=f.evidence, household_id=f.household_id, bank_id=f.bank_id, subject=f.subject[:200],
                dedupe_key=f.dedupe_key, state=PROBLEM_CASE.initial, state_entered_on=on, due_anchor=on,
                last_found_on=on, opened_on=on, opened_by=who, number=uuid.uuid4().hex[:24])
           for f in by_key.values()]
    Case.objects.bulk_create(new, batch_size=BULK)
    if new and new[0].pk is None:  # a backend that does not return keys: read them back by number
        ids = dict(Case.objects.filter(number__in=[c.number for c in new]).values_list("number", "id"))
        for case in new:
            case.pk = case.id = ids[case.number]
    for case in new:
        case.number = f"WT{on:%Y}{case.pk:06d}"
    Case.objects.bulk_update(new, ["number"], batch_size=BULK)
    CaseStep.objects.bulk_create([CaseStep(case=case, from_state="", action="open", to_state=case.state, actor=who,
                                           actor_role=getattr(who, "role", "") or "", on=on) for case in new],
                                 batch_size=BULK)
    if new or existing:
        record_audit(actor=actor, action="problem_open", object_type="problems.case", object_id="",
                     object_repr=f"{SOURCES.get(source, source)}发现问题 {len(new) + len(existing)} 个",
                     after={"source": source, "opened": len(new), "found_again": len(existing)})
    return {"opened": len(new), "found_again": len(existing)}


def _found_again(case: Case, *, description: str, evidence, on: dt.date, actor) -> Case:
    case.found_count += 1
    case.last_found_on = on
    if description:
        case.description = description
    if evidence is not None:
        case.evidence = evidence
    case.save(update_fields=["found_count", "last_found_on", "description", "evidence"])
    record_audit(actor=actor, action="problem_found_again", obj=case, region_code=case.region_code,
                 note=f"第 {case.found_count} 次发现")
    return case


def _documents_errors(files: list) -> list[FieldError]:
    if len(files) > MAX_DOCUMENTS:
        return [FieldError("document", f"整改佐证材料：一次最多 {MAX_DOCUMENTS} 个文件")]
    return [e for f in files for e in document_errors(f, "document")]


def _store(case: Case, files: list, actor) -> None:
    for f in files:
        CaseDocument.objects.create(case=case, file=f, name=str(getattr(f, "name", "材料"))[:120],
                                    uploaded_by=actor_or_none(actor))


@transaction.atomic
def case_add_document(*, case: Case, files: list, actor) -> Case:
    """Attach evidence documents to an open case (PDF/JPG/PNG by content, ≤ 5 MB each)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.state not in OPEN_STATES:
        raise WorkflowRefused("state", f"“{PROBLEM_CASE.label(case.state)}”的问题不能再上传材料")
    if not files:
        raise ProblemError("document", "整改佐证材料：请选择文件")
    _refuse(_documents_errors(files))
    if case.documents.count() + len(files) > 5 * MAX_DOCUMENTS:
        raise ProblemError("document", f"整改佐证材料：每个问题最多 {5 * MAX_DOCUMENTS} 个文件")
    _store(case, files, actor)
    record_audit(actor=actor, action="problem_document", obj=case, region_code=case.region_code,
                 note="、".join(str(getattr(f, "name", ""))[:60] for f in files))
    return case


ACTIONS = {t.action for t in PROBLEM_CASE.transitions}


@transaction.atomic
def case_transition(*, case: Case | int, action: str, actor, opinion: str = "", owner_role: str = "",
                    owner_region: str = "", owner_user=None, deadline: dt.date | None = None,
                    rectification: str = "", documents: list | None = None, on: dt.date | None = None,
                    via_api: bool = False) -> Case:
    """Take one step of a case (DOMAIN §12) through the workflow kit.

    ``assign`` needs the owner (role and region, optionally one person) and the deadline; ``rectify``
    the rectification text and evidence (documents given here or attached before); ``close`` (销号) is
    refused without both (DOMAIN §8: closed only with evidence) and by the person who verified it.
    """
    on = on or business_date()
    if action not in ACTIONS:
        raise WorkflowRefused("action", "没有这项操作")
    opinion, rectification, documents = (opinion or "")[:2000], rectification or "", list(documents or [])
    if len(opinion) > 1000:
        raise ProblemError("opinion", "意见：最多 1000 字")

    def effect(item: Case, t) -> None:
        errors: list[FieldError] = []
        if action == "assign":
            errors = assign_errors(owner_role=owner_role, owner_region=owner_region or "",
                                   case_region=item.region_code, deadline=deadline, on=on)
            if owner_user is not None and (owner_user.role != owner_role or not any(
                    (owner_region or "").startswith(p) for p in (owner_user.scope_regions or ()))):
                errors.append(FieldError("owner_user", "整改责任人：不是所选责任单位的人员"))
            _refuse(errors)
            item.owner_role, item.owner_region, item.owner_user, item.deadline = (
                owner_role, owner_region, owner_user, deadline)
        elif action == "rectify":
            _refuse(_documents_errors(documents))
            _refuse(rectify_errors(rectification=rectification, documents=item.documents.count() + len(documents)))
            _store(item, documents, actor)
            item.rectification = rectification
        elif action == "close":
            _refuse(closing_errors(rectification=item.rectification, documents=item.documents.count()))
            verifier = item.steps.filter(to_state="verified").order_by("-at", "-id").first()
            person = actor_or_none(actor)
            if person is not None and verifier is not None and verifier.actor_id == person.pk:
                raise WorkflowRefused("actor", "职责分离：核验与销号不能由同一人办理，请由另一名经办人销号")
            item.closed_on = on
        item.state_entered_on = on

    item = transition_take(PROBLEM_CASE, case, action, actor=actor, opinion=opinion, on=on, via_api=via_api,
                           effect=effect)
    anchor = item.deadline - dt.timedelta(days=1) if item.state == "assigned" and item.deadline else on
    Case.objects.filter(pk=item.pk).update(due_anchor=anchor)
    item.due_anchor = anchor
    record_audit(actor=actor, action=f"problem_{action}", obj=item, region_code=item.region_code,
                 household_id=item.household_id, note=opinion[:500],
                 after={"state": item.state, "owner_role": item.owner_role, "owner_region": item.owner_region,
                        "deadline": item.deadline})
    return item

