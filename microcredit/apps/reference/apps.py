from django.apps import AppConfig

from microcredit.apps.core.labels import register_labels
from microcredit.apps.core.registry import register_api, register_urls


class ReferenceConfig(AppConfig):
    name = "microcredit.apps.reference"
    label = "reference"
    verbose_name = "基础数据"

    def ready(self):
        """Register its API router and its pages (ADR 0003)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.reference import api, urls

        register_api("/reference/", api)
        register_urls("reference/", urls, "reference")

        # Words, not codes (issue #11 §3): its audit actions and vocabulary by their labels.
        from microcredit.apps.audit.services import register_audit_actions
        from microcredit.apps.reference.selectors import era_names
        from microcredit.apps.reference.services import AUDIT_ACTIONS

        register_audit_actions(AUDIT_ACTIONS)
        register_labels("era", era_names)
