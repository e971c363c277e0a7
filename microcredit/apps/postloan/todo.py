"""The post-loan to-do source (issue #12 §4): usage checks due or overdue, for the village clerk and the
township station in their scope (DOMAIN §8)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from microcredit.apps.accounts import roles
from microcredit.apps.core.todo import TodoItem
from microcredit.apps.postloan import selectors
from microcredit.domain.postloan import CHECK_OVERDUE, CHECK_WINDOW_DAYS

TODO_ROLES = (roles.VILLAGE, roles.TOWNSHIP)


def checks_to_do(user, on: dt.date) -> list[TodoItem]:
    """One item per active loan in scope whose usage check is due (window open) or overdue."""
    if getattr(user, "role", "") not in TODO_ROLES or not user.has_perm("postloan.record_check"):
        return []
    url = reverse("postloan:checks")
    items = []
    for d in selectors.checks_due(user=user, on=on):
        what = _("首次用途核查") if d.last_check is None else _("年度用途核查")
        since = d.disbursed_on if d.last_check is None else d.due_on - dt.timedelta(days=CHECK_WINDOW_DAYS)
        state = _("已逾期，应于 %(day)s 前检查") if d.status == CHECK_OVERDUE else _("待检查，%(day)s 前完成")
        items.append(TodoItem("postloan_check", _("贷后检查"), f"{d.number} {d.head_name}：{what}",
                              f"{url}?loan={d.loan_id}#record", state % {"day": d.due_on.isoformat()}, d.due_on,
                              d.status == CHECK_OVERDUE, since))
    return items
