"""Reads on loans, always through the caller's scope (regions, and bank for bank users)."""

from __future__ import annotations

from django.db.models import QuerySet

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.loans.models import Loan, LoanEvent


def loans_visible(user) -> QuerySet[Loan]:
    scope = Scope.of(user)
    qs = Loan.objects.select_related("household", "borrower", "bank")
    if scope.bank_id is not None and not scope.unrestricted:
        qs = scope.filter_bank(qs)
        return scope.filter_regions(qs) if scope.region_prefixes else qs
    return scope.filter_regions(qs)


def loan_list(user, *, q: str = "", status: str = "", classification: str = "", region: str = "") -> QuerySet[Loan]:
    qs = loans_visible(user)
    if q:
        from django.db.models import Q

        qs = qs.filter(Q(number__icontains=q) | Q(household__head_name__icontains=q) | Q(borrower__name__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if classification:
        qs = qs.filter(classification=classification)
    if region:
        qs = qs.filter(region_code__startswith=region)
    return qs


def loan_get(user, pk: int) -> Loan:
    """The loan if visible to the user (Loan.DoesNotExist otherwise)."""
    return loans_visible(user).get(pk=pk)


def loan_events(loan: Loan) -> QuerySet[LoanEvent]:
    return loan.events.select_related("created_by", "reverses").order_by("on", "id")
