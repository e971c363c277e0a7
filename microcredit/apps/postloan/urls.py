from django.urls import path

from microcredit.apps.postloan import views

urlpatterns = [
    path("flags/", views.flags_page, name="flags"),
    path("flags/set/", views.flag_set, name="flag_set"),
    path("flags/<int:pk>/clear/", views.flag_clear, name="flag_clear"),
    path("checks/", views.checks_page, name="checks"),
    path("checks/<int:pk>/photo/", views.check_photo, name="check_photo"),
]
