from django.urls import path

from microcredit.apps.households import views

urlpatterns = [
    path("", views.household_list, name="list"),
    path("export/", views.household_export, name="export"),
    path("new/", views.household_new, name="create"),
    path("<int:pk>/", views.household_detail, name="detail"),
    path("<int:pk>/edit/", views.household_edit, name="edit"),
    path("<int:pk>/members/new/", views.member_edit, name="member_add"),
    path("<int:pk>/members/<int:member_pk>/edit/", views.member_edit, name="member_edit"),
    path("import/", views.registry_import_page, name="import"),
    path("import/template.xlsx", views.registry_import_template, name="import_template"),
    path("import/<int:job_pk>/status/", views.registry_import_status, name="import_status"),
    path("verify/", views.verify, name="verify"),
]
