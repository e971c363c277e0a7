from django.urls import path

from microcredit.apps.exchange import views

app_name = "exchange"
urlpatterns = [
    path("", views.imports_page, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("imports/<int:pk>/status/", views.import_status, name="import_status"),
    path("loans/", views.loans_page, name="loans"),
    path("loans/<int:pk>/", views.loan_detail, name="loan"),
    path("reconcile/", views.reconcile_page, name="reconcile"),
    path("reconcile/<int:pk>/", views.run_detail, name="run"),
    path("template/", views.template_page, name="template"),
    path("officials/", views.officials_page, name="officials"),
]
