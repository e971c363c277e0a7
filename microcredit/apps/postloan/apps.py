from django.apps import AppConfig


class PostloanConfig(AppConfig):
    name = "microcredit.apps.postloan"
    label = "postloan"
    verbose_name = "贷后检查"

    def ready(self):
        """Register role grants, pages, API router, to-do sources (ADR 0003, ADR 0008)."""
