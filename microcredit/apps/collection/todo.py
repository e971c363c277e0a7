"""The collection app's to-do source (issue #12 §3): the visits to make — broken promises, promises
due today, open cases without a recorded visit or call for ``domain.collection.IDLE_DAYS`` days."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from microcredit.apps.accounts import roles
from microcredit.apps.collection import selectors
from microcredit.apps.core.todo import TODO_LIMIT, TodoItem
from microcredit.domain import collection as rules

BANDS_OF_ROLE = {
    roles.VILLAGE: None,  # the village visits every overdue household of its own (村部追偿清收)
    roles.TOWNSHIP: (rules.TOWNSHIP, rules.COUNTY, rules.CLAIM),
    roles.COUNTY: (rules.COUNTY, rules.CLAIM),
}


def visits_to_make(user, on: dt.date) -> list[TodoItem]:
    """Cases in the user's scope needing a visit on ``on``, for the village (every band), the township
    (≥ 30 days) and the county (≥ 60 days); overdue when a promise was broken."""
    role = getattr(user, "role", "")
    if role not in BANDS_OF_ROLE or not user.has_perm("collection.record_action"):
        return []
    reasons = {"broken": _("承诺到期未还，须再次催收"), "promise_due": _("今天是承诺还款日，请跟进"),
               "idle": _("超过 %(days)s 天未催收") % {"days": rules.IDLE_DAYS}}
    out = []
    rows = selectors.to_visit(user=user, on=on, bands=BANDS_OF_ROLE[role]).order_by("-days_past_due", "pk")
    for case in rows[:TODO_LIMIT]:
        why = rules.visit_reason(case.state, opened_on=case.opened_on, last_action_on=case.last_action_on,
                                 promised_on=case.promised_on, on=on)
        if why is None:
            continue
        loan = case.loan
        title = _("%(name)s 借据 %(number)s 逾期 %(days)s 天") % {
            "name": loan.household.head_name, "number": loan.number, "days": case.days_past_due}
        out.append(TodoItem("collection", _("催收走访"), title, reverse("collection:case", args=[case.pk]),
                            reasons[why], case.promised_on if why != "idle" else None, why == "broken",
                            case.state_entered_on if why == "broken" else (case.last_action_on or case.opened_on)))
    return out
