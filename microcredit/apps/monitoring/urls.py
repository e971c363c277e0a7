from django.urls import path

from microcredit.apps.monitoring import views, views_rewards, views_targets

urlpatterns = [
    path("close/", views.close_page, name="close"),
    path("suspensions/", views.suspensions_page, name="suspensions"),
    path("rewards/", views_rewards.rewards_page, name="rewards"),
    path("rewards/export/", views_rewards.rewards_export, name="rewards_export"),
    path("overview/", views.overview, name="overview"),
    path("lights/", views.lights, name="lights"),
    path("ranking/", views.ranking, name="ranking"),
    path("targets/", views_targets.targets_page, name="targets"),
]
