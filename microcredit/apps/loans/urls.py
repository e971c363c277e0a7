from django.urls import path

from microcredit.apps.loans import views, views_import

urlpatterns = [
    path("", views.loan_list, name="list"),
    path("export/", views.loan_export, name="export"),
    path("repayments/import/", views_import.repayments_import_page, name="repayments_import"),
    path("<int:pk>/", views.loan_detail, name="detail"),
    path("<int:pk>/repay/", views.repayment_new, name="repay"),
    path("<int:pk>/settle/", views.settlement_new, name="settle"),
    path("<int:pk>/extend/", views.extension_new, name="extend"),
    path("<int:pk>/renew/", views.renewal_new, name="renew"),
    path("<int:pk>/extensions/new/", views.extension_request_new, name="extension_request"),
    path("<int:pk>/classification/", views.class_propose, name="class_propose"),
    path("extensions/", views.extension_list, name="extensions"),
    path("extensions/<int:pk>/", views.extension_detail, name="extension"),
    path("classification/<int:pk>/", views.class_proposal_detail, name="class_proposal"),
    path("<int:pk>/write-off/", views.write_off_new, name="write_off"),
    path("events/<int:pk>/reverse/", views.event_reverse, name="reverse"),
    path("receipts/<int:pk>/", views.receipt, name="receipt"),
]
