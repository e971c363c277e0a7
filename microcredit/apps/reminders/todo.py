"""The reminders app's to-do source (issue #12 §2): the reminders the village or township clerk must
deliver by phone call or visit — households without a mobile number, and SMS that failed."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from microcredit.apps.core.todo import TODO_LIMIT, TodoItem
from microcredit.apps.reminders import selectors
from microcredit.apps.reminders.models import ReminderKind, ReminderStatus
from microcredit.domain.money import fen_to_yuan


def reminders_to_deliver(user, on: dt.date) -> list[TodoItem]:
    if not user.has_perm("reminders.deliver_reminder"):
        return []
    rows = selectors.to_deliver(user=user).order_by("due_date", "id")[:TODO_LIMIT]
    url = reverse("reminders:outbox") + "?status="
    out = []
    for r in rows:
        due = r.created_on if r.kind == ReminderKind.OVERDUE else r.due_date
        state = _("无手机号，待人工送达") if r.status == ReminderStatus.BY_HAND else _("短信发送失败，待人工送达")
        title = _("%(name)s（借据号 %(number)s）%(kind)s：%(due)s 应还 %(amount)s 元") % {
            "name": r.household.head_name, "number": r.loan.number, "kind": r.get_kind_display(),
            "due": r.due_date.isoformat(), "amount": fen_to_yuan(r.amount)}
        out.append(TodoItem("reminder", _("还款提醒"), title, url + r.status, state, due, on > due, r.created_on))
    return out
