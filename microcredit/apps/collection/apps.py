from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "microcredit.apps.collection"
    label = "collection"
    verbose_name = "催收"

    def ready(self):
        """Register role grants, pages, API router, to-do sources (ADR 0003, ADR 0008)."""
