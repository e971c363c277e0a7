from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from microcredit.apps.core.panels import register_dashboard_panel
from microcredit.apps.core.registry import register_api, register_urls
from microcredit.apps.core.todo import register_todo_source
from microcredit.apps.jobs.schedule import register_schedule


class MonitoringConfig(AppConfig):
    name = "microcredit.apps.monitoring"
    label = "monitoring"
    verbose_name = "监测"

    def ready(self):
        """Register its role grants, job handler, schedule, dashboard panel, API router, pages (ADR 0003)
        and its to-do source (circuit breakers to decide, issue #11 §2)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.jobs.runner import register_job_handler
        from microcredit.apps.monitoring import api, close, dashboard, jobs, permissions, todo, urls

        permissions.grant_roles()
        register_job_handler("daily_close", jobs.daily_close, label=_("日终批处理"))
        register_schedule("daily_close", close.schedule_close)
        register_dashboard_panel("portfolio", dashboard.portfolio_panel)
        register_api("/monitoring/", api)
        register_urls("monitoring/", urls, "monitoring")
        register_todo_source("suspensions", todo.suspensions_to_decide)

        # The reward fund's Excel (issue #12 item 5), as a job when large; the indicators' figures kept
        # by every close (issue #12 item 7).
        from microcredit.apps.core.panels import register_after_close
        from microcredit.apps.jobs.exports import register_export
        from microcredit.apps.monitoring import indicators, rewards, views_rewards

        register_after_close("indicator_figures", indicators.record_figures)
        register_export(views_rewards.EXPORT_KIND, title=_("奖补资金"), permission="monitoring.view_close",
                        rows=views_rewards.export_rows, write=rewards.write_rewards_xlsx)

        # Words, not codes (issue #11 §3): its audit actions by their labels.
        from microcredit.apps.audit.services import register_audit_actions
        from microcredit.apps.monitoring.services import AUDIT_ACTIONS

        register_audit_actions(AUDIT_ACTIONS)
