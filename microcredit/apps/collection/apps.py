from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "microcredit.apps.collection"
    label = "collection"
    verbose_name = "催收"

    def ready(self):
        """Register role grants, pages, API router, to-do sources (ADR 0003, ADR 0008): the cases follow
        every daily close (``core.panels.register_after_close``)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.audit.services import register_audit_actions
        from microcredit.apps.collection import api, loan_panel, permissions, services, todo, urls
        from microcredit.apps.core.panels import register_after_close, register_loan_panel
        from microcredit.apps.core.registry import register_api, register_urls
        from microcredit.apps.core.todo import register_todo_source

        permissions.grant_roles()
        register_after_close("collection", services.cases_after_close)
        register_loan_panel("collection", loan_panel.collection_panel)
        register_todo_source("collection", todo.visits_to_make)
        register_urls("collection/", urls, "collection")
        register_api("/collection/", api)
        register_audit_actions(services.AUDIT_ACTIONS)
