"""Reads of the legacy 分贷统还 project register, scoped (ARCHITECTURE §5; DOMAIN §4).

A project is seen by the users whose scope holds its region (a bank user: only its bank's projects).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.projects.models import Participant, Payout, Project, Stage
from microcredit.domain.projects import is_payout_late

__all__ = [
    "late_payouts",
    "loans_amount",
    "payout_get",
    "project_get",
    "project_list",
    "project_participants",
    "project_payouts",
    "project_stages",
    "stage_get",
]


def _visible(user) -> QuerySet[Project]:
    scope = Scope.of(user)
    return scope.filter_bank(scope.filter_regions(Project.objects.select_related("bank"), "region_code"), "bank")


def project_list(*, user, grade: str = "", white_listed: bool | None = None, q: str = "") -> QuerySet[Project]:
    """The projects ``user`` may see, filtered by grade, white list, name/enterprise; each with its number
    of households and the sum of their loans (``households``, ``loans_total``)."""
    qs = _visible(user)
    if grade:
        qs = qs.filter(grade=grade)
    if white_listed is not None:
        qs = qs.filter(white_listed=white_listed)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(enterprise_name__icontains=q) | Q(number__icontains=q))
    return qs.annotate(households=Count("participants", distinct=True),
                       loans_total=Sum("participants__loan__principal"))


def project_get(*, user, pk: int) -> Project:
    """One project ``user`` may see (``Project.DoesNotExist`` otherwise)."""
    return _visible(user).get(pk=pk)


def project_participants(project: Project) -> QuerySet[Participant]:
    return project.participants.select_related("household", "loan").order_by("id")


def project_stages(project: Project) -> QuerySet[Stage]:
    return project.stages.order_by("seq")


def project_payouts(project: Project) -> QuerySet[Payout]:
    return Payout.objects.filter(participant__project=project).select_related("participant__household").order_by(
        "due_on", "participant_id")


def payout_get(*, user, pk: int) -> Payout:
    """One payout of a project ``user`` may see (``Payout.DoesNotExist`` otherwise)."""
    return Payout.objects.select_related("participant__project", "participant__household").get(
        pk=pk, participant__project__in=_visible(user))


def stage_get(*, user, pk: int) -> Stage:
    return Stage.objects.select_related("project").get(pk=pk, project__in=_visible(user))


def loans_amount(project: Project) -> int:
    """The amount of the project's loans (fen): the principal of its households' loans, each once."""
    return project.participants.aggregate(s=Sum("loan__principal"))["s"] or 0


def late_payouts(day: dt.date) -> list[Payout]:
    """Every payout not recorded by its due date plus its project's grace days on ``day`` and not yet
    turned into a problem case (DOMAIN §4; issue #12 §10)."""
    candidates = Payout.objects.filter(paid_on__isnull=True, late_flagged_on__isnull=True, due_on__lt=day).select_related(
        "participant__project__bank", "participant__household", "participant__loan")
    return [p for p in candidates
            if is_payout_late(p.due_on, False, day, p.participant.project.grace_days)]
