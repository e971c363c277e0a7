"""Reads of reminders, always through the caller's scope (regions; a bank officer its bank's loans).

Other apps read reminders only through this module (the to-do list, reports)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from microcredit.apps.accounts.scope import SYSTEM, Scope
from microcredit.apps.loans.selectors import installments_due
from microcredit.apps.regions.selectors import region_names, regions_in_scope
from microcredit.apps.reminders.models import (
    Reminder,
    ReminderKind,
    ReminderSettings,
    ReminderStatus,
)
from microcredit.domain import reminders as rules

VOCABULARIES = (ReminderKind, ReminderStatus)


def reminder_settings_for(county_code: str) -> ReminderSettings:
    """The county's settings row, or an unsaved one holding the defaults."""
    return ReminderSettings.objects.filter(county_code=county_code[:6]).first() or \
        ReminderSettings(county_code=county_code[:6])


def settings_by_county() -> dict[str, ReminderSettings]:
    """Every saved county's settings by its 6-digit code (the close's generator)."""
    return {s.county_code: s for s in ReminderSettings.objects.all()}


def counties_in_scope(*, user) -> list[tuple[str, str]]:
    """(6-digit code, name) of the counties in the user's scope, or whose townships/villages it holds."""
    scope = Scope.of(user)
    if scope.unrestricted:
        codes = list(regions_in_scope(user=SYSTEM, level="county").order_by("code").values_list("code", flat=True))
    else:
        codes = sorted({p[:6].ljust(12, "0") for p in scope.region_prefixes if len(p) >= 6})
    names = region_names(codes)
    return [(c[:6], names.get(c, c[:6])) for c in codes]


def user_county(user) -> str | None:
    """The user's county (the first in scope), None when the user has none."""
    counties = counties_in_scope(user=user)
    return counties[0][0] if counties else None


def reminders_visible(*, user) -> QuerySet[Reminder]:
    scope = Scope.of(user)
    qs = Reminder.objects.select_related("loan", "household", "bank")
    return scope.filter_bank(scope.filter_regions(qs, "region_code"), "bank")


def reminder_list(*, user, status: str | None = None, kind: str | None = None,
                  region: str | None = None) -> QuerySet[Reminder]:
    """The outbox in scope, optionally of one status, one kind, one region prefix; newest first."""
    qs = reminders_visible(user=user)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        qs = qs.filter(region_code__startswith=region)
    return qs.order_by("-created_on", "region_code", "id")


def reminder_get(*, user, pk: int) -> Reminder:
    """One reminder in scope (Reminder.DoesNotExist otherwise)."""
    return reminders_visible(user=user).get(pk=pk)


def to_deliver(*, user) -> QuerySet[Reminder]:
    """Reminders the village or township must deliver by hand: no mobile number, or the SMS failed."""
    return reminders_visible(user=user).filter(status__in=[ReminderStatus.BY_HAND, ReminderStatus.FAILED])


def maturity_list(*, user, on: dt.date, months: int | None = None, region: str | None = None):
    """The maturity list 到期提醒名单 (DOMAIN §8): unpaid principal instalments of active loans in scope
    falling due from ``on`` to the horizon (the user's county setting unless ``months``), by township →
    village → due date."""
    if months is None:
        county = user_county(user)
        months = reminder_settings_for(county).horizon_months if county else rules.DEFAULT_HORIZON_MONTHS
    qs = installments_due(user=user, start=on, end=rules.horizon_end(on, months), unpaid_on=on, principal_only=True)
    if region:
        qs = qs.filter(loan__region_code__startswith=region)
    return qs.select_related("loan__household__village").order_by("loan__region_code", "due_date", "loan__number")
