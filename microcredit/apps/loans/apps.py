from django.apps import AppConfig

from microcredit.apps.core.registry import register_api, register_urls


class LoansConfig(AppConfig):
    name = "microcredit.apps.loans"
    label = "loans"
    verbose_name = "贷款"

    def ready(self):
        """Register its role grants, API routers and pages (ADR 0003)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.loans import api, api_import, permissions, urls

        permissions.grant_roles()
        register_api("/loans/", api)
        register_api("/repayment-batches", api_import)
        register_urls("loans/", urls, "loans")
