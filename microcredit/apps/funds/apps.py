from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "microcredit.apps.funds"
    label = "funds"
    verbose_name = "资金（贴息、风险补偿金）"
