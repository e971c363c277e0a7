from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "microcredit.apps.problems"
    label = "problems"
    verbose_name = "问题台账"

    def ready(self):
        """Register role grants, pages, API router, to-do sources (ADR 0003, ADR 0008)."""
