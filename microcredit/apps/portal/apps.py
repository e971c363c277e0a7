from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "microcredit.apps.portal"
    label = "portal"
    verbose_name = "农户服务"

    def ready(self):
        """Register the portal's pages and API (ADR 0008, ADR 0011)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.audit.services import register_audit_actions
        from microcredit.apps.core.registry import register_api, register_urls
        from microcredit.apps.portal import api, permissions, urls
        from microcredit.apps.portal.signin import AUDIT_LABELS

        permissions.grant_roles()
        register_audit_actions(AUDIT_LABELS)
        register_api("/portal", api)
        register_urls("portal/", urls, "portal")
