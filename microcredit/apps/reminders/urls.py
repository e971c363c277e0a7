from django.urls import path

from microcredit.apps.reminders import views

urlpatterns = [
    path("maturities/", views.maturities_page, name="maturities"),
    path("maturities/export/", views.maturities_export, name="maturities_export"),
    path("outbox/", views.outbox_page, name="outbox"),
    path("settings/", views.settings_page, name="settings"),
]
