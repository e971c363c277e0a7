from django.urls import path

from microcredit.apps.reports import ledger_views, views

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.definition_edit, name="new"),
    path("ledger-export/", ledger_views.ledger_export_page, name="ledger_export"),
    path("<slug:code>/run/", views.report_run, name="run"),
    path("<slug:code>/print/", views.report_print, name="print"),
    path("<slug:code>/edit/", views.definition_edit, name="edit"),
]
