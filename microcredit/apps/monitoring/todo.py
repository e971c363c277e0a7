"""The monitoring app's to-do source (issue #11 §2): circuit breakers in force that the user's role
decides to lift (DOMAIN §8; §12: circuit-breaker lifting is the county's decision)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from microcredit.apps.core.todo import TodoItem
from microcredit.apps.monitoring import selectors


def suspensions_to_decide(user, on: dt.date) -> list[TodoItem]:
    """Open suspensions in ``user``'s scope, when ``user`` may lift them (no time limit: never overdue)."""
    if not user.has_perm("monitoring.lift_suspension"):
        return []
    rows = list(selectors.suspensions_visible(user).filter(lifted_on__isnull=True, since__lte=on).order_by("since", "pk"))
    names = selectors.region_names([s.region_code for s in rows if s.region_code])
    url = reverse("monitoring:suspensions")
    return [TodoItem("suspension", "风险熔断",
                     f"{s.get_level_display()} {names.get(s.region_code, s.region_code) if s.region_code else s.bank}：{s.reason}",
                     url, "熔断中，待县级决定是否解除", None, False, s.since) for s in rows]
