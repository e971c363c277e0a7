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
    path("blacklist/", views.blacklist, name="blacklist"),
    path("blacklist/add/<int:hh>/", views.blacklist_add, name="blacklist_add"),
    path("blacklist/<int:pk>/lift/", views.blacklist_lift, name="blacklist_lift"),
    path("honours/add/<int:hh>/", views.honour_add, name="honour_add"),
    path("credit-villages/", views.credit_villages, name="credit_villages"),
    path("scorecards/", views.scorecards, name="scorecards"),
]
