from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "microcredit.apps.accounts"
    label = "accounts"
    verbose_name = "用户与角色"

    def ready(self):
        from microcredit.apps.accounts.roles import sync_roles

        post_migrate.connect(sync_roles, sender=self)
