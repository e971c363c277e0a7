from django.apps import AppConfig


class RatingConfig(AppConfig):
    name = "microcredit.apps.rating"
    label = "rating"
    verbose_name = "评级授信"

