from django.apps import AppConfig


class PostloanConfig(AppConfig):
    name = "microcredit.apps.postloan"
    label = "postloan"
    verbose_name = "贷后检查"

    def ready(self):
        """Register role grants, pages, API router, to-do sources (ADR 0003, ADR 0008)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.audit.services import register_audit_actions
        from microcredit.apps.core.panels import register_household_panel, register_loan_panel
        from microcredit.apps.core.registry import register_api, register_urls
        from microcredit.apps.core.todo import register_todo_source
        from microcredit.apps.postloan import api, panels, permissions, todo, urls
        from microcredit.apps.postloan.services import AUDIT_ACTIONS

        permissions.grant_roles()
        register_urls("postloan/", urls, "postloan")
        register_api("/postloan/", api)
        register_loan_panel("postloan", panels.loan_panel)
        register_household_panel("postloan", panels.household_panel)
        register_todo_source("postloan_checks", todo.checks_to_do)
        register_audit_actions(AUDIT_ACTIONS)
