from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "microcredit.apps.reminders"
    label = "reminders"
    verbose_name = "提醒与短信"

    def ready(self):
        """Register role grants, pages, API router, to-do sources (ADR 0003, ADR 0008)."""
