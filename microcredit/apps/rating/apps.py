from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RatingConfig(AppConfig):
    name = "microcredit.apps.rating"
    label = "rating"
    verbose_name = "评级授信"

    def ready(self):
        # Our permissions are created after accounts' post_migrate ran; sync the roles again.
        from microcredit.apps.accounts.roles import sync_roles

        post_migrate.connect(sync_roles, sender=self)
