"""Reads of the problem ledger, scoped (ARCHITECTURE §5, issue #12 §6).

A case is seen by the users whose scope holds its region or its owner's region (a bank user: only the
cases about its bank). ``case_actionable`` is the workflow's acting scope (ADR 0007): the same cases,
except that a case being rectified (整改中) is acted on only by its owner — the owning role of the
owning region (and the named person when one is named).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.workflow import is_admin, overdue
from microcredit.apps.problems.models import Case, CaseDocument, CaseStep
from microcredit.domain.problems import OPEN_STATES, SOURCES
from microcredit.domain.todo import SUPERVISED_ROLES
from microcredit.domain.workflow import PROBLEM_CASE

__all__ = [
    "ACTION_LABELS",
    "SOURCE_LABELS",
    "STATE_LABELS",
    "case_actionable",
    "case_documents",
    "case_get",
    "case_list",
    "case_steps",
    "open_case_for_key",
    "overdue_ids",
]

STATE_LABELS = dict(PROBLEM_CASE.choices())
ACTION_LABELS = {"open": "登记问题", **{t.action: t.label for t in PROBLEM_CASE.transitions if t.action != "reject"},
                 "return": "退回", "reject": "撤销"}
"""Each action of a case's history by its label."""
SOURCE_LABELS = dict(SOURCES)


def _visible(user) -> QuerySet[Case]:
    scope = Scope.of(user)
    qs = Case.objects.select_related("bank", "owner_user")
    if scope.unrestricted:
        return qs
    qs = qs.filter(scope.region_q("region_code") | scope.region_q("owner_region"))
    return scope.filter_bank(qs, "bank")


def case_list(*, user, state: str = "", source: str = "", region: str = "", overdue_only: bool = False,
              q: str = "", on: dt.date | None = None) -> QuerySet[Case]:
    """The cases ``user`` may see, filtered: state (or "open"), source, under a region prefix, past
    their deadline on ``on`` (the business date), title/number containing ``q``."""
    qs = _visible(user)
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state:
        qs = qs.filter(state=state)
    if source:
        qs = qs.filter(source=source)
    if region:
        qs = qs.filter(Q(region_code__startswith=region) | Q(owner_region__startswith=region))
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(number__icontains=q))
    if overdue_only:
        qs = overdue(PROBLEM_CASE, qs, on or business_date())
    return qs


def overdue_ids(qs: QuerySet[Case], on: dt.date | None = None) -> set[int]:
    """The ids of the cases of ``qs`` past their step's limit (整改中: their deadline) on ``on``."""
    return set(overdue(PROBLEM_CASE, qs, on or business_date()).values_list("pk", flat=True))


def case_get(*, user, pk: int) -> Case:
    """One case ``user`` may see (``Case.DoesNotExist`` otherwise)."""
    return _visible(user).get(pk=pk)


def case_actionable(user) -> QuerySet[Case]:
    """The workflow's acting scope: the visible cases, where a case being rectified belongs to its owner."""
    qs = _visible(user)
    if is_admin(user) or getattr(user, "role", "") not in ("village_station", "township_station"):
        return qs
    mine = Q(owner_role=user.role) & (Q(owner_user__isnull=True) | Q(owner_user=user))
    return qs.filter(~Q(state="assigned") | mine)


def case_supervised(user) -> QuerySet[Case]:
    """Cases being rectified by an owner whose steps ``user``'s role supervises (DOMAIN §12: a village
    station's case past its deadline shows to the township and the county; ``domain.todo``)."""
    roles = SUPERVISED_ROLES.get(getattr(user, "role", ""), frozenset())
    return _visible(user).filter(state="assigned", owner_role__in=roles) if roles else Case.objects.none()


def case_steps(case: Case) -> QuerySet[CaseStep]:
    return case.steps.select_related("actor").order_by("at", "id")


def case_documents(case: Case) -> QuerySet[CaseDocument]:
    return case.documents.all()


def open_case_for_key(dedupe_key: str) -> Case | None:
    """The open case of a machine-found problem (None when there is none)."""
    return Case.objects.filter(dedupe_key=dedupe_key, state__in=OPEN_STATES).first()
