from django.urls import path

from microcredit.apps.funds import views

urlpatterns = [
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/<int:pk>/", views.account_detail, name="account"),
    path("claims/", views.claim_list, name="claims"),
    path("claims/new/", views.claim_new, name="claim_new"),
    path("claims/<int:pk>/", views.claim_detail, name="claim"),
    path("insured/", views.insured_loans, name="insured"),
    path("claims/evidence/<int:pk>/", views.claim_evidence, name="claim_evidence"),
    path("subsidy/", views.batch_list, name="subsidy_batches"),
    path("subsidy/<int:pk>/", views.batch_detail, name="batch"),
    path("subsidy/report/", views.quarterly_report, name="subsidy_report"),
    path("subsidy/report/export/", views.quarterly_report_export, name="subsidy_report_export"),
]
