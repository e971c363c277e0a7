"""The navigation menu by role: (menu, label, url name, permission needed).

Items whose URL does not exist (an app not installed) or whose permission the user lacks are
left out, so each role sees only what it can use. The to-do list 「待办」 (with its count) is not in
a menu: it is the header's first link, for every role (base.html, ``core.todo.todo_badge``).
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext, gettext_noop

MENU = [
    (gettext_noop("档案"), gettext_noop("农户档案"), "households:list", "core.view_registry"),
    (gettext_noop("档案"), gettext_noop("档案导入"), "households:import", "core.import_registry"),
    (gettext_noop("档案"), gettext_noop("身份核验"), "households:verify", "core.verify_identity"),
    (gettext_noop("档案"), gettext_noop("农户登录验证码"), "portal:paper_codes", "portal.issue_paper_code"),
    (gettext_noop("档案"), gettext_noop("行政区划"), "regions:tree", "core.view_dashboard"),
    (gettext_noop("信贷"), gettext_noop("评级授信"), "rating:campaigns", "rating.view_rating"),
    (gettext_noop("信贷"), gettext_noop("评分卡"), "rating:scorecards", "rating.view_rating"),
    (gettext_noop("信贷"), gettext_noop("失信黑名单"), "rating:blacklist", "rating.view_rating"),
    (gettext_noop("信贷"), gettext_noop("信用村（乡镇）"), "rating:credit_villages", "rating.view_rating"),
    (gettext_noop("信贷"), gettext_noop("贷款申请"), "origination:applications", "origination.view_loanapplication"),
    (gettext_noop("信贷"), gettext_noop("贷款台账"), "loans:list", "loans.view_loan"),
    (gettext_noop("信贷"), gettext_noop("批量还款入账"), "loans:repayments_import", "loans.post_repayment"),
    (gettext_noop("信贷"), gettext_noop("贷款计算器"), "calc:page", "core.use_calculator"),
    (gettext_noop("资金"), gettext_noop("贴息"), "funds:subsidy_batches", "funds.view_subsidy"),
    (gettext_noop("资金"), gettext_noop("风险补偿金"), "funds:accounts", "funds.view_fund"),
    (gettext_noop("资金"), gettext_noop("代偿申请"), "funds:claims", "funds.view_fund"),
    (gettext_noop("资金"), gettext_noop("承保贷款（政银保）"), "funds:insured", "funds.view_insured"),
    (gettext_noop("对账"), gettext_noop("银行台账导入"), "exchange:imports", "exchange.view_ledgerloan"),
    (gettext_noop("对账"), gettext_noop("银行台账明细"), "exchange:loans", "exchange.view_ledgerloan"),
    (gettext_noop("对账"), gettext_noop("对账核查"), "exchange:reconcile", "exchange.view_ledgerloan"),
    (gettext_noop("对账"), gettext_noop("贷款台账导出"), "reports:ledger_export", "reports.view_report"),
    (gettext_noop("监测"), gettext_noop("监测总览"), "monitoring:overview", "monitoring.view_close"),
    (gettext_noop("监测"), gettext_noop("风险预警"), "monitoring:lights", "monitoring.view_close"),
    (gettext_noop("监测"), gettext_noop("统计报表"), "reports:list", "reports.view_report"),
    (gettext_noop("贷后"), gettext_noop("到期提醒"), "reminders:maturities", "reminders.view_reminder"),
    (gettext_noop("贷后"), gettext_noop("短信发件箱"), "reminders:outbox", "reminders.view_reminder"),
    (gettext_noop("贷后"), gettext_noop("短信模板与设置"), "reminders:settings", "reminders.manage_reminder"),
    (gettext_noop("贷后"), gettext_noop("催收"), "collection:cases", "collection.view_case"),
    (gettext_noop("贷后"), gettext_noop("逾期日报"), "collection:daily", "collection.view_case"),
    (gettext_noop("贷后"), gettext_noop("贷后检查"), "postloan:checks", "postloan.view_check"),
    (gettext_noop("贷后"), gettext_noop("风险标识"), "postloan:flags", "postloan.view_check"),
    (gettext_noop("贷后"), gettext_noop("展期与续贷申请"), "loans:extensions", "loans.view_loan"),
    (gettext_noop("贷后"), gettext_noop("问题台账"), "problems:cases", "problems.view_case"),
    (gettext_noop("贷后"), gettext_noop("分贷统还项目"), "projects:list", "projects.view_project"),
    (gettext_noop("监测"), gettext_noop("奖补资金"), "monitoring:rewards", "monitoring.view_close"),
    (gettext_noop("监测"), gettext_noop("年度放贷目标"), "monitoring:targets", "monitoring.set_target"),
    (gettext_noop("监测"), gettext_noop("日终批处理"), "monitoring:close", "monitoring.view_close"),
    (gettext_noop("监测"), gettext_noop("风险熔断"), "monitoring:suspensions", "monitoring.view_close"),
    (gettext_noop("系统"), gettext_noop("合作银行"), "reference:banks", "core.view_dashboard"),
    (gettext_noop("系统"), gettext_noop("基准利率"), "reference:rates", "core.view_dashboard"),
    (gettext_noop("系统"), gettext_noop("政策期"), "reference:eras", "core.view_dashboard"),
    (gettext_noop("系统"), gettext_noop("后台任务"), "jobs:list", "core.view_dashboard"),
    (gettext_noop("系统"), gettext_noop("审计日志"), "audit:list", "core.view_audit"),
    (gettext_noop("系统"), gettext_noop("用户管理"), "accounts:users", "core.manage_users"),
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
