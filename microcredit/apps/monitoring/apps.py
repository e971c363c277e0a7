from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "microcredit.apps.monitoring"
    label = "monitoring"
    verbose_name = "监测"

    def ready(self):
        from microcredit.apps.monitoring import schedule  # noqa: F401  (registers the daily close)
