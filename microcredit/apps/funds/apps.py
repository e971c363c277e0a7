from django.apps import AppConfig

from microcredit.apps.core.registry import register_api, register_urls


class FundsConfig(AppConfig):
    name = "microcredit.apps.funds"
    label = "funds"
    verbose_name = "资金（贴息、风险补偿金）"

    def ready(self):
        """Register its role grants, API router and pages (ADR 0003)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.funds import api, permissions, urls

        permissions.grant_roles()
        register_api("/funds/", api)
        register_urls("funds/", urls, "funds")
