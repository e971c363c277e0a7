from django.urls import path

from microcredit.apps.core import views

urlpatterns = [
    path("", views.todo_page, name="list"),
]
