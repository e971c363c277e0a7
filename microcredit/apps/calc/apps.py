from django.apps import AppConfig


class CalcConfig(AppConfig):
    name = "microcredit.apps.calc"
    label = "calc"
    verbose_name = "贷款计算器"
