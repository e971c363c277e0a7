from django.apps import AppConfig

from microcredit.apps.core.labels import register_labels
from microcredit.apps.core.registry import register_api, register_urls


class RegionsConfig(AppConfig):
    name = "microcredit.apps.regions"
    label = "regions"
    verbose_name = "行政区划"

    def ready(self):
        """Register its API router and its pages (ADR 0003)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.regions import api, urls

        register_api("/regions/", api)
        register_urls("regions/", urls, "regions")

        # Words, not codes (issue #11 §3): its audit actions and region names by their labels.
        from microcredit.apps.audit.services import register_audit_actions
        from microcredit.apps.regions.selectors import RegionNames
        from microcredit.apps.regions.services import AUDIT_ACTIONS

        register_audit_actions(AUDIT_ACTIONS)
        register_labels("region", RegionNames())
