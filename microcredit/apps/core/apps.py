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
        from django.db.models.signals import post_delete, post_save

        from microcredit.apps.core import api, clock, todo, urls
        from microcredit.apps.core.models import SystemSetting

        register_urls("todo/", urls, "todo")
        register_api("/todo", api)
        register_dashboard_panel("todo", todo.todo_panel)
        # A moved business date is seen at once inside the request that moved it (issue #15 §4).
        post_save.connect(clock.setting_changed, sender=SystemSetting, dispatch_uid="clock-business-date-save")
        post_delete.connect(clock.setting_changed, sender=SystemSetting, dispatch_uid="clock-business-date-delete")
