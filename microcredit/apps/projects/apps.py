from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "microcredit.apps.projects"
    label = "projects"
    verbose_name = "分贷统还项目"

    def ready(self):
        """Register role grants, pages, API router and the after-close check of late payouts (ADR 0003, ADR 0008)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.audit.services import register_audit_actions
        from microcredit.apps.core.panels import register_after_close
        from microcredit.apps.core.registry import register_api, register_urls
        from microcredit.apps.projects import api, permissions, services, urls

        permissions.grant_roles()
        register_api("/projects", api)
        register_urls("projects/", urls, "projects")
        register_after_close("projects", services.late_payouts_check)
        register_audit_actions(services.AUDIT_ACTIONS)
