"""The workflow kit (ADR 0007, DOMAIN §12): one approval shell for every table of ``domain.workflow``.

An app registers each of its workflows in its ``AppConfig.ready()`` with ``register_workflow(
Workflow(...))``: the table, the model and its state field, the transition-record model (a
subclass of ``core.models.TransitionRecord``) and the app's scoped read of the items a user may see.
Its service then calls ``transition_take``, which locks the row, finds the role the actor acts in,
checks scope, the table and segregation of duties, lets the service's ``effect`` do what is specific
to the step, sets the new state and writes the record. ``actions_for`` gives the buttons and
``pending_for`` / ``pending_counts`` / ``overdue`` / ``overdue_below`` the items waiting on a user,
overdue first, and those overdue at the steps below (the to-do list, ``core.todo``).

"Is admin" and "actor or None" are decided here and nowhere else in the workflows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

from django.db import models, transaction
from django.db.models import Case, Count, OuterRef, Q, QuerySet, Subquery, Value, When

from microcredit.apps.core.clock import business_date
from microcredit.apps.core.registry import Registry
from microcredit.domain.errors import ConflictError, FieldError
from microcredit.domain.todo import supervised_states
from microcredit.domain.workflow import (
    Transition, WorkflowTable, allowed_transitions, due_date, find_transition, is_overdue, segregation_errors,
    transition_errors,
)

__all__ = ["WorkflowRefused", "Workflow", "WORKFLOWS", "register_workflow", "workflow_of", "is_admin",
           "actor_or_none", "acting_role", "transition_take", "actions_for", "Pending", "pending_for", "pending_counts", "overdue",
           "overdue_below"]


class WorkflowRefused(ConflictError):
    """A step the table, the role, the scope or segregation of duties does not allow (Chinese message)."""


def actor_or_none(user: Any) -> Any:
    """The acting person, or None for the system (batch jobs, the demo generator, an anonymous caller)."""
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def is_admin(user: Any) -> bool:
    """A superuser or a user with the ``admin`` role (acts as any step's role, sees every scope)."""
    return actor_or_none(user) is not None and (user.is_superuser or getattr(user, "role", "") == "admin")


def acting_role(user: Any, table: WorkflowTable, state: str, action: str) -> str:
    """The role ``user`` acts in: the system and administrators act as the step's role."""
    if actor_or_none(user) is None or is_admin(user):
        t = find_transition(table, state, action)
        return t.roles[0] if t and t.roles else "admin"
    return getattr(user, "role", "") or ""


@dataclass(frozen=True)
class Workflow:
    """How one app's model runs one table (registered in the app's ``ready()``)."""

    table: WorkflowTable
    model: type[models.Model]
    record_model: type[models.Model]  # subclass of core.models.TransitionRecord
    record_fk: str  # the record's foreign key to the item
    items: Callable[[Any], QuerySet]  # the app's scoped read: the items ``user`` may see (and act on)
    out_of_scope: str  # the Chinese refusal when the item is not among ``items(user)``
    state_field: str = "state"
    entered_field: str | None = "state_entered_on"  # None: the date of the record that entered the state
    label: str = ""  # the item's kind on the to-do list (申请, 评级批次 …)
    describe: Callable[[Any], tuple[str, str]] | None = None  # item → (one-line title, its page's URL)
    # Where a step's owner is per item (a problem case's owner: a village or a township station), the
    # app's query of the items whose owner ``user`` supervises; else the table's supervised steps.
    supervised: Callable[[Any], QuerySet] | None = None

    def state_of(self, obj: models.Model) -> str:
        return getattr(obj, self.state_field)

    def records(self, obj: models.Model) -> QuerySet:
        return self.record_model.objects.filter(**{self.record_fk: obj})


WORKFLOWS = Registry("workflow")  # table code → Workflow


def register_workflow(workflow: Workflow) -> Workflow:
    """Register ``workflow`` under its table's code (a second registration fails at startup)."""
    return WORKFLOWS.register(workflow.table.code, workflow, module=workflow.model.__module__)


def workflow_of(table_or_workflow: WorkflowTable | Workflow) -> Workflow:
    if isinstance(table_or_workflow, Workflow):
        return table_or_workflow
    return WORKFLOWS[table_or_workflow.code]


def _refusals(wf: Workflow, obj: models.Model, action: str, actor: Any, role: str, opinion: str) -> list[FieldError]:
    """Scope, then the table, then four eyes against the step that brought the item to its state."""
    person, state = actor_or_none(actor), wf.state_of(obj)
    if person is not None and not wf.items(person).filter(pk=obj.pk).exists():
        return [FieldError("scope", wf.out_of_scope)]
    errors = transition_errors(wf.table, state, action, role, opinion)
    last = wf.records(obj).filter(to_state=state).order_by("-at", "-id").first()
    if last is not None and not errors:
        errors = segregation_errors(action, getattr(person, "pk", None), last.actor_id, last.action)
    return errors


@transaction.atomic
def transition_take(table: WorkflowTable | Workflow, obj: models.Model | int, action: str, *, actor: Any,
                    opinion: str = "", on: dt.date | None = None, via_api: bool = False,
                    effect: Callable[[models.Model, Transition], str | None] | None = None) -> models.Model:
    """Take ``action`` on ``obj`` (an item or its pk) under a row lock and record it; returns the locked,
    updated item.

    ``effect(item, transition)`` runs after every check passed and before the new state is saved:
    the workflow's own side effects (policy re-checks, notices, payments). It may raise to refuse,
    and may return the opinion to record (e.g. the loan number of a disbursement). Refusals raise
    ``WorkflowRefused`` with the first reason; the record's ``from_state`` is on ``item.taken``.
    """
    wf = workflow_of(table)
    on = on or business_date()
    item = wf.model.objects.select_for_update(of=("self",)).get(pk=getattr(obj, "pk", obj))
    state = wf.state_of(item)
    role = acting_role(actor, wf.table, state, action)
    errors = _refusals(wf, item, action, actor, role, opinion)
    if errors:
        raise WorkflowRefused(errors[0].field, errors[0].message)
    t = find_transition(wf.table, state, action)
    opinion = (effect(item, t) if effect else None) or opinion
    setattr(item, wf.state_field, t.next_state)
    if wf.entered_field:
        setattr(item, wf.entered_field, on)
    item.save()
    item.taken = wf.record_model.objects.create(
        **{wf.record_fk: item}, from_state=state, action=action, to_state=t.next_state, actor=actor_or_none(actor),
        actor_role=role, on=on, opinion=opinion, via_api=via_api)
    return item


def actions_for(table: WorkflowTable | Workflow, obj: models.Model, user: Any) -> tuple[Transition, ...]:
    """The transitions ``user`` may take on ``obj`` (the buttons of pages and API); admins see every one."""
    wf = workflow_of(table)
    state = wf.state_of(obj)
    if is_admin(user):
        return tuple(t for t in wf.table.transitions if t.state == state)
    return allowed_transitions(wf.table, state, getattr(user, "role", "") or "")


def _with_entered(wf: Workflow, qs: QuerySet) -> QuerySet:
    """``qs`` annotated with ``entered``: the day each item entered its current state."""
    if wf.entered_field:
        return qs.annotate(entered=models.F(wf.entered_field))
    last = wf.record_model.objects.filter(**{wf.record_fk: OuterRef("pk"), "to_state": OuterRef(wf.state_field)})
    return qs.annotate(entered=Subquery(last.order_by("-at", "-id").values("on")[:1]))


def _late(wf: Workflow, on: dt.date) -> Q:
    """Over the ``entered`` annotation: the current step is past its time limit on ``on``."""
    late = Q(pk__isnull=True)  # never true; not pk__in=[], which SQL cannot say inside an aggregate's filter
    for step in wf.table.steps:
        if step.limit_days and not step.terminal:  # is_overdue ⇔ on > entered + limit
            late |= Q(**{wf.state_field: step.state, "entered__lt": on - dt.timedelta(days=step.limit_days)})
    return late


def overdue(table: WorkflowTable | Workflow, qs: QuerySet, on: dt.date | None = None) -> QuerySet:
    """The items of ``qs`` whose current step is past its time limit on ``on`` (DOMAIN §12)."""
    wf, on = workflow_of(table), on or business_date()
    return _with_entered(wf, qs).filter(_late(wf, on))


class Pending(NamedTuple):
    workflow: Workflow
    item: models.Model
    due: dt.date | None
    overdue: bool


def _states(wf: Workflow, user: Any) -> tuple[list[str], list[str]]:
    """The open steps ``user``'s role acts on (admins: every one) and those it supervises (DOMAIN §12)."""
    admin, role = is_admin(user), getattr(user, "role", "")
    mine = [s.state for s in wf.table.steps if not s.terminal and s.roles and (admin or role in s.roles)]
    return mine, [] if admin else supervised_states(wf.table, role)


def _at(wf: Workflow, user: Any, states: list[str]) -> QuerySet:
    """``wf``'s items in ``user``'s scope at one of ``states``."""
    return wf.items(user).filter(**{f"{wf.state_field}__in": states})


def _listed(wfs: list[Workflow], query: Callable[[Workflow], QuerySet], on: dt.date, limit: int | None,
            late_only: bool = False) -> list[Pending]:
    """The items of ``query(wf)`` for each workflow, overdue first then oldest, at most ``limit``."""
    out = []
    for wf in wfs:
        qs = _with_entered(wf, query(wf)).annotate(
            late=Case(When(_late(wf, on), then=Value(0)), default=Value(1))).order_by("late", "entered", "pk")
        qs = qs.filter(late=0) if late_only else qs
        for item in qs[:limit] if limit is not None else qs:
            state, entered = wf.state_of(item), item.entered or on
            out.append(Pending(wf, item, due_date(wf.table, state, entered), is_overdue(wf.table, state, entered, on)))
    out.sort(key=lambda p: (not p.overdue, p.item.entered or on, p.item.pk))
    return out[:limit] if limit is not None else out


def pending_for(user: Any, on: dt.date | None = None, workflows: list[Workflow] | None = None,
                limit: int | None = None) -> list[Pending]:
    """Items of every registered workflow waiting on ``user``'s role in scope, overdue first
    (at most ``limit``, the most urgent)."""
    wfs = WORKFLOWS.values() if workflows is None else workflows
    return _listed(wfs, lambda wf: _at(wf, user, _states(wf, user)[0]), on or business_date(), limit)


def _below(wf: Workflow, user: Any) -> QuerySet:
    """``wf``'s items at steps ``user`` supervises (DOMAIN §12)."""
    if wf.supervised is not None and not is_admin(user):
        return wf.supervised(user)
    return _at(wf, user, _states(wf, user)[1])


def overdue_below(user: Any, on: dt.date | None = None, limit: int | None = None) -> list[Pending]:
    """The supervisor's view (DOMAIN §12): items in ``user``'s scope overdue at steps of the roles
    ``user``'s role supervises (a township: the village's steps), oldest first."""
    return _listed(WORKFLOWS.values(), lambda wf: _below(wf, user), on or business_date(), limit, late_only=True)


def pending_counts(user: Any, on: dt.date | None = None) -> tuple[int, int, int]:
    """(waiting on ``user``, of which overdue, overdue below ``user``): one query per workflow, no item loaded."""
    on, total = on or business_date(), [0, 0, 0]
    for wf in WORKFLOWS.values():
        mine, below = (Q(**{f"{wf.state_field}__in": states}) if states else Q(pk__isnull=True)
                       for states in _states(wf, user))
        late = _late(wf, on)
        counts = _with_entered(wf, wf.items(user)).aggregate(
            n=Count("pk", filter=mine), late=Count("pk", filter=mine & late), below=Count("pk", filter=below & late))
        if wf.supervised is not None and not is_admin(user):  # items the user may see but not act on
            counts["below"] = _with_entered(wf, wf.supervised(user)).filter(late).count()
        total = [t + counts[k] for t, k in zip(total, ("n", "late", "below"))]
    return total[0], total[1], total[2]
