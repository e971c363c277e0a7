from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo county generator as an app only for its commands (demo-data, demo-logins):
    the feature apps never import it (import-linter)."""

    name = "microcredit.demo"
    label = "demo"
    verbose_name = "演示数据"
