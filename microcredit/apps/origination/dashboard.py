"""Dashboard panel: median days from application to money, per township and per bank (S0 郧阳 target 7)."""

from __future__ import annotations


def time_to_money_panel(user, scope) -> dict | None:
    if not user.has_perm("origination.view_loanapplication"):
        return None
    from microcredit.apps.origination.selectors import median_days_to_money

    data = median_days_to_money(user)
    if not data["township"] and not data["bank"]:
        return None
    return {"title": "申请到放款天数（中位数）", "template": "origination/panel_time_to_money.html", **data}
