from django.apps import AppConfig

from microcredit.apps.core.registry import register_urls


class AuditConfig(AppConfig):
    name = "microcredit.apps.audit"
    label = "audit"
    verbose_name = "审计"

    def ready(self):
        """Register its pages (ADR 0003)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.audit import urls

        register_urls("audit/", urls, "audit")
