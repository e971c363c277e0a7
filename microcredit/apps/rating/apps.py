from django.apps import AppConfig


class RatingConfig(AppConfig):
    name = "microcredit.apps.rating"
    label = "rating"
    verbose_name = "评级授信"

    def ready(self):
        from microcredit.apps.rating import schedule  # noqa: F401  (registers the daily expiry)
