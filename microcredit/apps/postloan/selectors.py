"""Reads of risk flags and post-loan checks, always through the caller's scope (DOMAIN §8).

Flags: a loan's flag is visible with the loan (``loans.selectors.loans_visible``: regions, and
a bank officer's bank); a household's flag with the household (regions; a bank officer only for
households that borrowed from its bank). Checks due and overdue are computed per active loan
from its disbursement and its last check (``domain.postloan.check_status``).
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.households.selectors import households_in_scope
from microcredit.apps.loans.selectors import LoanStatus, loans_visible
from microcredit.apps.postloan.models import CheckResult, FlagKind, PostLoanCheck, RiskFlag
from microcredit.domain.postloan import CHECK_DONE, CHECK_DUE, CHECK_OVERDUE, check_status

VOCABULARIES = (FlagKind, CheckResult)  # for other apps' forms and labels


def flags_visible(*, user) -> QuerySet[RiskFlag]:
    """Every flag (open or cleared) the user may see."""
    loans = loans_visible(user=user)
    households = households_in_scope(user=user)
    scope = Scope.of(user)
    if scope.bank_id is not None and not scope.unrestricted:
        households = households.filter(Exists(loans.filter(household=OuterRef("pk"))))
    return (RiskFlag.objects.filter(Q(loan__in=loans.values("pk")) | Q(household__in=households.values("pk")))
            .select_related("loan", "loan__household", "household", "set_by", "cleared_by"))


def flag_list(*, user, kind: str = "", township: str = "", village: str = "", subject: str = "",
              state: str = "open", q: str = "") -> QuerySet[RiskFlag]:
    """Flags in scope, filtered: kind, township (9-digit prefix or 12-digit code), village (12 digits),
    subject ("loan" / "household"), state ("open" default, "cleared", "all"), q (借据号 or the head's name)."""
    qs = flags_visible(user=user)
    if state == "open":
        qs = qs.filter(cleared_on__isnull=True)
    elif state == "cleared":
        qs = qs.filter(cleared_on__isnull=False)
    if kind:
        qs = qs.filter(kind=kind)
    for prefix in (township[:9], village):
        qs = qs.filter(region_code__startswith=prefix) if prefix else qs
    if subject == "loan":
        qs = qs.filter(loan__isnull=False)
    elif subject == "household":
        qs = qs.filter(household__isnull=False)
    if q:
        qs = qs.filter(Q(loan__number__icontains=q) | Q(loan__household__head_name__contains=q)
                       | Q(household__head_name__contains=q) | Q(household__number=q))
    return qs.order_by("-set_on", "-id")


def flag_get(*, user, pk: int) -> RiskFlag:
    """One flag in scope (RiskFlag.DoesNotExist otherwise)."""
    return flags_visible(user=user).get(pk=pk)


def flags_of_loan(loan) -> QuerySet[RiskFlag]:
    """The loan's own flags and its household's (open and cleared), newest first."""
    return (RiskFlag.objects.filter(Q(loan=loan) | Q(household_id=loan.household_id))
            .select_related("set_by", "cleared_by", "loan").order_by("-set_on", "-id"))


def flags_of_household(household) -> QuerySet[RiskFlag]:
    """The household's flags and its loans' (open and cleared), open first."""
    return (RiskFlag.objects.filter(Q(household=household) | Q(loan__household=household))
            .select_related("set_by", "cleared_by", "loan").order_by("-set_on", "-id"))


def open_flag_kinds(loan) -> list[str]:
    """The kinds of the open flags that apply to the loan: its own, and its household's while it is active."""
    cond = Q(loan=loan)
    if loan.status == LoanStatus.ACTIVE:
        cond |= Q(household_id=loan.household_id)
    return list(RiskFlag.objects.filter(cond, cleared_on__isnull=True).values_list("kind", flat=True))


def checks_visible(*, user) -> QuerySet[PostLoanCheck]:
    """Recorded checks of the loans the user may see."""
    return (PostLoanCheck.objects.filter(loan__in=loans_visible(user=user).values("pk"))
            .select_related("loan", "loan__household", "checked_by"))


def check_list(*, user, township: str = "", village: str = "", result: str = "") -> QuerySet[PostLoanCheck]:
    qs = checks_visible(user=user)
    for prefix in (township[:9], village):
        qs = qs.filter(region_code__startswith=prefix) if prefix else qs
    if result:
        qs = qs.filter(result=result)
    return qs.order_by("-checked_on", "-id")


def checks_of_loan(loan) -> QuerySet[PostLoanCheck]:
    return PostLoanCheck.objects.filter(loan=loan).select_related("checked_by").order_by("-checked_on", "-id")


def last_check_on(loan) -> dt.date | None:
    return PostLoanCheck.objects.filter(loan=loan).aggregate(m=Max("checked_on"))["m"]


class DueCheck(NamedTuple):
    loan_id: int
    number: str
    head_name: str
    region_code: str
    disbursed_on: dt.date
    last_check: dt.date | None
    due_on: dt.date
    status: str  # CHECK_DUE or CHECK_OVERDUE


def checks_due(*, user, on: dt.date, status: str = "", township: str = "", village: str = "",
               loan_id: int | None = None) -> list[DueCheck]:
    """The active loans in scope whose usage check is due or overdue on ``on`` (``status`` narrows to one),
    overdue first, then by due date."""
    qs = loans_visible(user=user).filter(status=LoanStatus.ACTIVE, disbursed_on__lte=on)
    for prefix in (township[:9], village):
        qs = qs.filter(region_code__startswith=prefix) if prefix else qs
    if loan_id is not None:
        qs = qs.filter(pk=loan_id)
    rows = (qs.annotate(last_check=Max("postloan_checks__checked_on")).order_by()
            .values_list("pk", "number", "household__head_name", "region_code", "disbursed_on", "last_check"))
    out = []
    for pk, number, head, region, disbursed, last in rows:
        due, state = check_status(disbursed, last, on)
        if state and (not status or state == status):
            out.append(DueCheck(pk, number, head, region, disbursed, last, due, state))
    return sorted(out, key=lambda d: (d.status != CHECK_OVERDUE, d.due_on, d.loan_id))


CHECK_VIEWS = (CHECK_DUE, CHECK_OVERDUE, CHECK_DONE)


def loan_for(*, user, pk: int):
    """The loan if the user may see it, else None (the pages answer 404)."""
    return loans_visible(user=user).filter(pk=pk).first()


def household_for(*, user, pk: int):
    """The household if the user may see it (a bank officer: one that borrowed from its bank), else None."""
    qs = households_in_scope(user=user)
    scope = Scope.of(user)
    if scope.bank_id is not None and not scope.unrestricted:
        qs = qs.filter(Exists(loans_visible(user=user).filter(household=OuterRef("pk"))))
    return qs.filter(pk=pk).first()
