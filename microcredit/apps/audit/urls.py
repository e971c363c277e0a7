from django.urls import path

from microcredit.apps.audit import views

urlpatterns = [path("", views.audit_list, name="list")]
