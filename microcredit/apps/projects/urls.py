from django.urls import path

from microcredit.apps.projects import views

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_new, name="new"),
    path("<int:pk>/", views.project_detail, name="detail"),
]
