from django.urls import path

from microcredit.apps.collection import views

urlpatterns = [
    path("", views.case_list, name="cases"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/photo/<int:action>/", views.action_photo, name="photo"),
    path("daily/", views.daily, name="daily"),
    path("notice/<int:loan>/<str:kind>/", views.notice, name="notice"),
]
