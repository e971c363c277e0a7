from django.apps import AppConfig

from microcredit.apps.core.registry import register_api, register_urls


class CalcConfig(AppConfig):
    name = "microcredit.apps.calc"
    label = "calc"
    verbose_name = "贷款计算器"

    def ready(self):
        """Register its API router and its pages (ADR 0003)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.calc import api, urls

        register_api("/calc/", api)
        register_urls("calc/", urls, "calc")
