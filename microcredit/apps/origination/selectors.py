"""Reads of applications, scoped by region and bank (ARCHITECTURE §5)."""

from __future__ import annotations

import statistics
from decimal import Decimal
from dataclasses import dataclass

from django.db.models import QuerySet

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.core.workflow import pending_for, workflow_of
from microcredit.apps.origination.models import ApplicationDocument, LoanApplication
from microcredit.apps.regions.selectors import region_names
from microcredit.domain.workflow import APPLICATION


def application_list(user, *, state: str = "", q: str = "") -> QuerySet[LoanApplication]:
    scope = Scope.of(user)
    qs = LoanApplication.objects.select_related("household", "bank", "borrower")
    qs = scope.filter_bank(scope.filter_regions(qs, "region_code"), "bank")
    if state:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(household__head_name__contains=q) | qs.filter(number__contains=q)
    return qs


def application_get(user, pk: int) -> LoanApplication:
    """One application in the caller's scope (DoesNotExist otherwise)."""
    return application_list(user).get(pk=pk)


def document_get(user, pk: int) -> ApplicationDocument:
    """A document whose application is in the caller's scope."""
    return ApplicationDocument.objects.select_related("application").get(
        pk=pk, application__in=application_list(user))


@dataclass
class InboxItem:
    application: LoanApplication
    due: object
    overdue: bool


def inbox(user) -> list[InboxItem]:
    """待我审批: applications waiting on a step the user's role acts on, overdue first."""
    return [InboxItem(p.item, p.due, p.overdue) for p in pending_for(user, workflows=[workflow_of(APPLICATION)])]


def median_days_to_money(user) -> dict[str, list[tuple[str, Decimal, int]]]:
    """Median days from application to money, per township and per bank (disbursed, in scope)."""
    rows = application_list(user).filter(state="disbursed", days_to_money__isnull=False).values_list(
        "region_code", "bank__short_name", "days_to_money")
    by_township: dict[str, list[int]] = {}
    by_bank: dict[str, list[int]] = {}
    for code, bank, days in rows:
        by_township.setdefault(code[:9], []).append(days)
        by_bank.setdefault(bank, []).append(days)
    names = region_names(by_township)
    return {
        "township": sorted(((names[c], statistics.median(map(Decimal, v)), len(v)) for c, v in by_township.items())),
        "bank": sorted(((b, statistics.median(map(Decimal, v)), len(v)) for b, v in by_bank.items())),
    }
