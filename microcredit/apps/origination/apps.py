from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OriginationConfig(AppConfig):
    name = "microcredit.apps.origination"
    label = "origination"
    verbose_name = "贷款申请与发放"

    def ready(self):
        # Our permissions are created after accounts' post_migrate ran; sync the roles again.
        from microcredit.apps.accounts.roles import sync_roles

        post_migrate.connect(sync_roles, sender=self)
