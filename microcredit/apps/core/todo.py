"""The to-do list 待办 (issue #11 §2, DOMAIN §12): everything waiting on a user, in one place.

Its items come from the workflow kit (every registered workflow's items at a step the user's role
acts on, in scope — ``core.workflow.pending_for``) and from ``TODO_SOURCES``: decisions that are
not workflow steps (a circuit breaker to lift …), each ``fn(user, on) → list[TodoItem]``
registered in its app's ``AppConfig.ready()`` with ``register_todo_source``. Overdue items come
first. A township station or the county office also sees, below its own items, the items overdue
at the steps below it in its scope (下级超时). The counts (menu badge, dashboard) cost one query per
workflow and never load the items.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, NamedTuple

from django.utils.translation import gettext as _

from microcredit.apps.core.clock import business_date
from microcredit.apps.core.registry import Registry
from microcredit.apps.core.workflow import Pending, overdue_below, pending_counts, pending_for

TODO_LIMIT = 200
"""At most this many items of each list are shown (the rest is counted)."""


class TodoItem(NamedTuple):
    kind: str  # the workflow's table code or the source's code
    kind_label: str  # 申请, 评级批次, 贴息批次, 代偿申请, 熔断 …
    title: str  # one line naming the item
    url: str  # its page
    state_label: str  # the current step (or what is to be decided)
    due: dt.date | None  # the step's time limit, None when it has none
    overdue: bool
    since: dt.date | None = None  # when it reached this step (the order after overdue)


class Todo(NamedTuple):
    items: list[TodoItem]  # the first TODO_LIMIT, overdue first
    total: int
    overdue: int
    below: list[TodoItem]  # the supervisor's view: overdue at steps below the user's, in scope
    below_total: int


class TodoCounts(NamedTuple):
    total: int
    overdue: int
    below: int


TODO_SOURCES = Registry("to-do source")  # name → fn(user, on) → list[TodoItem]


def register_todo_source(name: str, fn: Callable[[Any, dt.date], list[TodoItem]]) -> None:
    TODO_SOURCES.register(name, fn)


def _item(p: Pending) -> TodoItem:
    wf, state = p.workflow, p.workflow.state_of(p.item)
    title, url = wf.describe(p.item) if wf.describe else (str(p.item), "")
    return TodoItem(wf.table.code, str(wf.label or wf.table.name), title, url, _(wf.table.label(state)), p.due, p.overdue,
                    p.item.entered)


def _urgent_first(items: list[TodoItem], on: dt.date) -> list[TodoItem]:
    return sorted(items, key=lambda i: (not i.overdue, i.since or on))


def _sourced(user: Any, on: dt.date) -> list[TodoItem]:
    return [item for fn in TODO_SOURCES.values() for item in fn(user, on)]


def todo_for(user: Any, on: dt.date | None = None, limit: int = TODO_LIMIT) -> Todo:
    """What waits on ``user`` on ``on`` (the business date): its items and the supervisor's view."""
    on = on or business_date()
    sourced = _sourced(user, on)
    total, late, below = pending_counts(user, on)
    items = _urgent_first([_item(p) for p in pending_for(user, on, limit=limit)] + sourced, on)[:limit]
    return Todo(items, total + len(sourced), late + sum(i.overdue for i in sourced),
                [_item(p) for p in overdue_below(user, on, limit=limit)], below)


def todo_counts(user: Any, on: dt.date | None = None) -> TodoCounts:
    """How many items wait on ``user``, how many of them are overdue, how many are overdue below."""
    on = on or business_date()
    total, late, below = pending_counts(user, on)
    sourced = _sourced(user, on)
    return TodoCounts(total + len(sourced), late + sum(i.overdue for i in sourced), below)


def _counts_once(user: Any) -> TodoCounts:
    """``todo_counts`` on the business date, kept on the request's user (badge and panel count once)."""
    if not hasattr(user, "_todo_counts"):
        user._todo_counts = todo_counts(user)
    return user._todo_counts


def todo_badge(request) -> dict:
    """Context processor: the menu's 待办 badge."""
    user = getattr(request, "user", None)
    return {"todo_counts": _counts_once(user)} if user is not None and user.is_authenticated else {}


def todo_panel(user, scope) -> dict:
    """The dashboard's 待办 panel: 待办 N，其中超时 M (and 下级超时 K for a supervisor)."""
    return {"title": _("待办"), "template": "core/todo_panel.html", "counts": _counts_once(user)}
