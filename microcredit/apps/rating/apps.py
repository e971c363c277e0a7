from django.apps import AppConfig

from microcredit.apps.core.panels import register_household_panel
from microcredit.apps.core.registry import register_api, register_urls
from microcredit.apps.jobs.schedule import register_schedule


class RatingConfig(AppConfig):
    name = "microcredit.apps.rating"
    label = "rating"
    verbose_name = "评级授信"

    def ready(self):
        """Register its role grants, schedule, household-page section, API router and pages (ADR 0003)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.rating import api, household_panel, permissions, schedule, urls

        permissions.grant_roles()
        register_schedule("ratings_expire", schedule.expire_ratings_once_a_day)
        register_household_panel("rating", household_panel.rating_panel)
        register_api("/rating/", api)
        register_urls("rating/", urls, "rating")
