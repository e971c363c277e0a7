"""Dashboard panel: median days from application to money, per township and per bank (S0 郧阳 target 7)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from microcredit.apps.origination.selectors import median_days_to_money
from microcredit.domain.workflow import APPLICATION, over_total_limit, total_limit_days


def time_to_money_panel(user, scope) -> dict | None:
    if not user.has_perm("origination.view_loanapplication"):
        return None
    data = median_days_to_money(user)
    if not data["township"] and not data["bank"]:
        return None
    rows = {k: [(name, median, n, over_total_limit(APPLICATION, median)) for name, median, n in v] for k, v in data.items()}
    return {"title": _("申请到放款天数（中位数）"), "template": "origination/panel_time_to_money.html",
            "target": total_limit_days(APPLICATION), **rows}
