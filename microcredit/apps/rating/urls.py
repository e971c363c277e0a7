from django.urls import path

from microcredit.apps.rating import views

urlpatterns = [
    path("", views.campaigns, name="campaigns"),
    path("new/", views.campaign_new, name="campaign_new"),
    path("<int:pk>/", views.campaign_detail, name="campaign"),
    path("<int:pk>/act/", views.campaign_act, name="campaign_act"),
    path("<int:pk>/objections/", views.objection_add, name="objection_add"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("ratings/<int:pk>/", views.rating_edit, name="rating"),
]
