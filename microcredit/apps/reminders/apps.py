from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "microcredit.apps.reminders"
    label = "reminders"
    verbose_name = "提醒与短信"

    def ready(self):
        """Register role grants, pages, API router, to-do sources (ADR 0003, ADR 0008): reminders generated
        at each close, sent by a job and its schedule, the maturity list's Excel, the clerk's to-do items."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.audit.services import register_audit_actions
        from microcredit.apps.core.panels import register_after_close
        from microcredit.apps.core.registry import register_api, register_urls
        from microcredit.apps.core.todo import register_todo_source
        from microcredit.apps.jobs.exports import register_export
        from microcredit.apps.jobs.runner import register_job_handler
        from microcredit.apps.jobs.schedule import register_schedule
        from microcredit.apps.reminders import (
            api,
            export,
            jobs,
            permissions,
            schedule,
            services,
            todo,
            urls,
        )

        permissions.grant_roles()
        register_after_close("reminders", services.reminders_generate)
        register_job_handler(services.SEND_JOB, jobs.sms_send, label=_("发送还款提醒短信"))
        register_schedule("sms_send", schedule.schedule_sending)
        register_export("reminders_maturities", title=_("到期提醒名单"), permission="reminders.view_reminder",
                        rows=export.maturity_rows, write=export.write_maturities_xlsx)
        register_api("/reminders/", api)
        register_urls("reminders/", urls, "reminders")
        register_todo_source("reminders", todo.reminders_to_deliver)
        register_audit_actions(services.AUDIT_ACTIONS)
