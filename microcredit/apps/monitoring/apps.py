from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MonitoringConfig(AppConfig):
    name = "microcredit.apps.monitoring"
    label = "monitoring"
    verbose_name = "监测"

    def ready(self):
        from microcredit.apps.accounts.roles import sync_roles
        from microcredit.apps.monitoring import schedule  # noqa: F401  (registers the daily close)

        # accounts syncs roles after its own post_migrate, before the permissions of the apps
        # listed after it (loans, funds, monitoring) exist; sync again once ours are created.
        post_migrate.connect(sync_roles, sender=self, dispatch_uid="monitoring_sync_roles")
