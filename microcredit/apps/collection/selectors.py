"""Reads on collection cases, always through the caller's scope (regions; bank users their bank's
loans). Other apps read cases only through this module."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.collection.models import Action, Band, Case, CaseEvent, CaseState
from microcredit.domain import collection as rules

VOCABULARIES = (CaseState, Band)


def cases_visible(*, user) -> QuerySet[Case]:
    scope = Scope.of(user)
    qs = Case.objects.select_related("loan", "loan__household", "loan__borrower", "bank")
    return scope.filter_bank(scope.filter_regions(qs))


def case_list(*, user, state: str = "", band: str = "", township: str = "", village: str = "",
              open_only: bool = False, loan=None, ids=None) -> QuerySet[Case]:
    """The cases visible to the user, filtered: state (or ``open`` for every open state), owner level,
    township (9-digit prefix or 12-digit code), village (12-digit code), loan."""
    qs = cases_visible(user=user)
    if state == "open" or open_only:
        qs = qs.filter(state__in=rules.OPEN_STATES)
    elif state:
        qs = qs.filter(state=state)
    if band:
        qs = qs.filter(band=band)
    if township:
        qs = qs.filter(region_code__startswith=township[:9])
    if village:
        qs = qs.filter(region_code=village)
    if loan is not None:
        qs = qs.filter(loan=loan)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs


def case_get(*, user, pk: int) -> Case:
    """The case if visible to the user (Case.DoesNotExist otherwise)."""
    return cases_visible(user=user).get(pk=pk)


def case_history(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("on", "id")


def case_actions(case: Case) -> QuerySet[Action]:
    return case.actions.select_related("actor").order_by("-on", "-id")


def last_actions(case_ids) -> dict[int, Action]:
    """The newest action of each case (one query)."""
    out: dict[int, Action] = {}
    for a in Action.objects.filter(case_id__in=list(case_ids)).select_related("actor").order_by("case_id", "-on", "-id"):
        out.setdefault(a.case_id, a)
    return out


def open_case_for_loan(*, user, loan) -> Case | None:
    return case_list(user=user, loan=loan, open_only=True).first()


def to_visit(*, user, on: dt.date, bands: tuple[str, ...] | None = None) -> QuerySet[Case]:
    """Open cases in scope that may need a visit on ``on`` (a superset the domain rule narrows):
    broken promises, promises due, cases idle since ``domain.collection.idle_since``."""
    idle = rules.idle_since(on)
    qs = case_list(user=user, open_only=True).filter(
        Q(state=rules.BROKEN) | Q(state=rules.PROMISE, promised_on=on)
        | (~Q(state=rules.PROMISE) & (Q(last_action_on__lte=idle) | Q(last_action_on__isnull=True, opened_on__lte=idle))))
    if bands:
        qs = qs.filter(band__in=bands)
    return qs
