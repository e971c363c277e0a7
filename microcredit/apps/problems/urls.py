from django.urls import path

from microcredit.apps.problems import views

urlpatterns = [
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("documents/<int:pk>/", views.case_document, name="document"),
]
