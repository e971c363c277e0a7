from django.urls import path

from microcredit.apps.monitoring import views

urlpatterns = [
    path("close/", views.close_page, name="close"),
    path("suspensions/", views.suspensions_page, name="suspensions"),
]
