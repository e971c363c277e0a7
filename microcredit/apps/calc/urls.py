from django.urls import path

from microcredit.apps.calc import views

urlpatterns = [path("", views.calculator_page, name="page")]
