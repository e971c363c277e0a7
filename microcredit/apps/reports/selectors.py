"""Reads of report definitions (every reader sees the same definitions; the rows are scoped when run)."""

from __future__ import annotations

from django.db.models import QuerySet

from microcredit.apps.reports.models import ReportDefinition


def definition_list(*, user, include_inactive: bool = False) -> QuerySet[ReportDefinition]:
    qs = ReportDefinition.objects.all()
    return qs if include_inactive and user.has_perm("reports.edit_report") else qs.filter(active=True)


def definition_get(*, user, code: str) -> ReportDefinition:
    """The definition (ReportDefinition.DoesNotExist when none, or inactive for a reader)."""
    if not isinstance(code, str) or len(code) > 40:
        raise ReportDefinition.DoesNotExist
    return definition_list(user=user, include_inactive=True).get(code=code)
