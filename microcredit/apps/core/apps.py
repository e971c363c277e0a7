from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "microcredit.apps.core"
    label = "core"
    verbose_name = "基础"
