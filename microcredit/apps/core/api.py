"""`GET /api/v1/todo`: the signed-in user's to-do list, as on the page (issue #11 §2)."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from microcredit.apps.core.todo import todo_for

router = Router(tags=["待办"])


class TodoItemOut(Schema):
    kind: str
    kind_label: str
    title: str
    url: str
    state_label: str
    due: dt.date | None
    overdue: bool


class TodoOut(Schema):
    total: int
    overdue: int
    items: list[TodoItemOut]
    below_total: int
    below: list[TodoItemOut]


@router.get("", response=TodoOut, summary="待办：等待我办理的事项（超时在前）与下级超时事项")
def todo(request):
    t = todo_for(request.user)
    return {"total": t.total, "overdue": t.overdue, "items": [i._asdict() for i in t.items],
            "below_total": t.below_total, "below": [i._asdict() for i in t.below]}
