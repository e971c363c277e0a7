from django.urls import path

from microcredit.apps.reference import views

urlpatterns = [
    path("banks/", views.banks, name="banks"),
    path("rates/", views.rates, name="rates"),
    path("rates/new/", views.rate_add, name="rate_add"),
    path("rates/<int:pk>/revise/", views.rate_revise, name="rate_revise"),
    path("eras/", views.eras, name="eras"),
    path("eras/<int:pk>/edit/", views.era_edit, name="era_edit"),
]
