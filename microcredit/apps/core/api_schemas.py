"""Response schemas every workflow's API shares (core.workflow, ADR 0007): the actions a caller may take on an
item now (its buttons) and the item's recorded steps."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from microcredit.apps.core.workflow import actions_for


class ActionOut(Schema):
    action: str
    label: str
    needs_opinion: bool


class StepOut(Schema):
    from_state: str
    action: str
    to_state: str
    actor: str
    actor_role: str
    on: dt.date
    opinion: str


def actions_out(table, item, user) -> list[dict]:
    """The actions ``user`` may take on ``item`` now (`core.workflow.actions_for`), as `ActionOut`."""
    return [{"action": t.action, "label": str(t.label), "needs_opinion": t.needs_opinion}
            for t in actions_for(table, item, user)]


def steps_out(item) -> list[dict]:
    """The item's recorded steps (its ``steps`` relation, a `core.workflow` transition record), as `StepOut`."""
    return [{"from_state": s.from_state, "action": s.action, "to_state": s.to_state,
             "actor": str(s.actor) if s.actor_id else "系统", "actor_role": s.actor_role, "on": s.on,
             "opinion": s.opinion} for s in item.steps.select_related("actor").order_by("at", "id")]
