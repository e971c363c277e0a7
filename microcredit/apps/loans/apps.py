from django.apps import AppConfig


class LoansConfig(AppConfig):
    name = "microcredit.apps.loans"
    label = "loans"
    verbose_name = "贷款"
