from django.apps import AppConfig


class OriginationConfig(AppConfig):
    name = "microcredit.apps.origination"
    label = "origination"
    verbose_name = "贷款申请与发放"

