"""The navigation menu by role: (menu, label, url name, permission needed).

Items whose URL does not exist (an app not installed) or whose permission the user lacks are
left out, so each role sees only what it can use. The to-do list 「待办」 (with its count) is not in
a menu: it is the header's first link, for every role (base.html, ``core.todo.todo_badge``).
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext, gettext_noop as N_

MENU = [
    (N_("档案"), N_("农户档案"), "households:list", "core.view_registry"),
    (N_("档案"), N_("档案导入"), "households:import", "core.import_registry"),
    (N_("档案"), N_("身份核验"), "households:verify", "core.verify_identity"),
    (N_("档案"), N_("行政区划"), "regions:tree", "core.view_dashboard"),
    (N_("信贷"), N_("评级授信"), "rating:campaigns", "rating.view_rating"),
    (N_("信贷"), N_("评分卡"), "rating:scorecards", "rating.view_rating"),
    (N_("信贷"), N_("失信黑名单"), "rating:blacklist", "rating.view_rating"),
    (N_("信贷"), N_("信用村（乡镇）"), "rating:credit_villages", "rating.view_rating"),
    (N_("信贷"), N_("贷款申请"), "origination:applications", "origination.view_loanapplication"),
    (N_("信贷"), N_("贷款台账"), "loans:list", "loans.view_loan"),
    (N_("信贷"), N_("批量还款入账"), "loans:repayments_import", "loans.post_repayment"),
    (N_("信贷"), N_("贷款计算器"), "calc:page", "core.use_calculator"),
    (N_("资金"), N_("贴息"), "funds:subsidy_batches", "funds.view_subsidy"),
    (N_("资金"), N_("风险补偿金"), "funds:accounts", "funds.view_fund"),
    (N_("资金"), N_("代偿申请"), "funds:claims", "funds.view_fund"),
    (N_("监测"), N_("日终批处理"), "monitoring:close", "monitoring.view_close"),
    (N_("监测"), N_("风险熔断"), "monitoring:suspensions", "monitoring.view_close"),
    (N_("系统"), N_("合作银行"), "reference:banks", "core.view_dashboard"),
    (N_("系统"), N_("基准利率"), "reference:rates", "core.view_dashboard"),
    (N_("系统"), N_("政策期"), "reference:eras", "core.view_dashboard"),
    (N_("系统"), N_("后台任务"), "jobs:list", "core.view_dashboard"),
    (N_("系统"), N_("审计日志"), "audit:list", "core.view_audit"),
    (N_("系统"), N_("用户管理"), "accounts:users", "core.manage_users"),
]


def menu_for(user) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(menu, [(label, url), …]), …] for this user, menus in declared order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for menu, label, url_name, perm in MENU:
        if not user.has_perm(perm):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        groups.setdefault(gettext(menu), []).append((gettext(label), url))
    return list(groups.items())
