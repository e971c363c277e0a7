from django.apps import AppConfig

from microcredit.apps.core.labels import register_labels
from microcredit.apps.core.registry import register_urls


class AuditConfig(AppConfig):
    name = "microcredit.apps.audit"
    label = "audit"
    verbose_name = "审计"

    def ready(self):
        """Register its pages (ADR 0003)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.audit import services, urls

        register_urls("audit/", urls, "audit")
        register_labels("audit_action", services.AUDIT_ACTIONS)
        services.register_audit_actions({"demo.generate": "生成演示数据", "job.upload": "上传文件"})  # demo, jobs: no labels of their own
