"""Reads of the bank data exchange, scoped: a bank sees its own ledgers, everyone else their area's."""

from __future__ import annotations

from django.db.models import QuerySet

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.exchange.models import ColumnTemplate, LedgerChange, LedgerImport, LedgerLoan, ReconciliationRun


def ledger_loan_list(*, user, bank: str = "", q: str = "") -> QuerySet[LedgerLoan]:
    """Ledger rows in the user's area (and bank); ``q`` matches a contract number, a name or an ID number."""
    scope = Scope.of(user)
    qs = scope.filter_bank(scope.filter_regions(LedgerLoan.objects.select_related("bank")))
    if bank:
        qs = qs.filter(bank__code=bank[:16])
    if q:
        q = q.strip()[:40]
        qs = qs.filter(contract_number=q) | qs.filter(borrower_id=q.upper()) | qs.filter(borrower_name=q)
    return qs.order_by("bank__code", "contract_number")


def ledger_loan_get(*, user, pk: int) -> LedgerLoan:
    return ledger_loan_list(user=user).get(pk=pk)


def ledger_changes(*, loan: LedgerLoan) -> QuerySet[LedgerChange]:
    return LedgerChange.objects.filter(loan=loan).select_related("ledger_import").order_by("-id")


def _own(qs: QuerySet, user) -> QuerySet:
    """A bank officer's rows are their bank's; everyone else's their area's; an admin's all."""
    scope = Scope.of(user)
    if scope.unrestricted:
        return qs
    if scope.bank_id is not None:
        return qs.filter(bank_id=scope.bank_id)
    return scope.filter_regions(qs)


def import_list(*, user) -> QuerySet[LedgerImport]:
    """Imports of the user's bank (a bank officer) or of their area (county staff); an admin sees all."""
    return _own(LedgerImport.objects.select_related("bank", "created_by"), user)


def import_get(*, user, pk: int) -> LedgerImport:
    return import_list(user=user).get(pk=pk)


def run_list(*, user) -> QuerySet[ReconciliationRun]:
    """Reconciliation runs of the user's bank or area (as `import_list`)."""
    return _own(ReconciliationRun.objects.select_related("bank", "ledger_import"), user)


def template_for(bank) -> dict[str, str]:
    return ColumnTemplate.objects.filter(bank=bank).values_list("mapping", flat=True).first() or {}
