from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "microcredit.apps.households"
    label = "households"
    verbose_name = "建档立卡档案"
