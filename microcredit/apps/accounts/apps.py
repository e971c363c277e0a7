from django.apps import AppConfig, apps
from django.core.management import call_command
from django.db.models.signals import post_migrate

from microcredit.apps.core.labels import register_labels
from microcredit.apps.core.registry import register_api, register_urls


def _sync_roles_after_last_app(sender, **kwargs):
    """post_migrate is sent once per app; the roles need every app's permissions, so sync once,
    after the last app with models (permissions are created by each app's own post_migrate).
    The cache table (throttle counters, settings.CACHES) is created then too, so `migrate` is
    all a deployment runs."""
    from microcredit.apps.accounts.roles import sync_roles

    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if with_models and sender is with_models[-1]:
        sync_roles()
        call_command("createcachetable", database=kwargs.get("using", "default"), verbosity=0)


class AccountsConfig(AppConfig):
    name = "microcredit.apps.accounts"
    label = "accounts"
    verbose_name = "用户与角色"

    def ready(self):
        """Connect the role sync and the audit signals; register the API router and pages (ADR 0003)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.accounts import api, api_users, signals, urls

        post_migrate.connect(_sync_roles_after_last_app, dispatch_uid="accounts_sync_roles")
        signals.connect()
        register_api("/auth/", api)
        register_api("/users", api_users)
        register_urls("account/", urls, "accounts")

        # Words, not codes (issue #11 §3): its audit actions and vocabulary by their labels.
        from microcredit.apps.accounts.roles import ROLE_LABELS
        from microcredit.apps.accounts.services import AUDIT_ACTIONS
        from microcredit.apps.audit.services import register_audit_actions

        register_audit_actions(AUDIT_ACTIONS)
        register_labels("role", ROLE_LABELS)
