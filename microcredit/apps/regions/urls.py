from django.urls import path

from microcredit.apps.regions import views

urlpatterns = [
    path("", views.tree, name="tree"),
    path("import/", views.import_view, name="import"),
]
