from django.apps import AppConfig

from microcredit.apps.core.panels import register_dashboard_panel
from microcredit.apps.core.registry import register_api, register_urls


class CoreConfig(AppConfig):
    name = "microcredit.apps.core"
    label = "core"
    verbose_name = "基础"

    def ready(self):
        """Register the to-do list's page, API and dashboard panel (issue #11 §2)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.core import api, todo, urls

        register_urls("todo/", urls, "todo")
        register_api("/todo", api)
        register_dashboard_panel("todo", todo.todo_panel)
