from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "microcredit.apps.reports"
    label = "reports"
    verbose_name = "统计报表"

    def ready(self):
        """Register role grants, pages, API router, job handlers (ADR 0003, ADR 0008)."""
