"""The portal's pages. Sign-in (views_signin) and the household's pages (views)."""

from django.urls import path

from microcredit.apps.portal import views, views_signin

app_name = "portal"
urlpatterns = [
    path("signin/", views_signin.signin, name="signin"),
    path("signin/code/", views_signin.signin_code, name="signin_code"),
    path("signin/paper/", views_signin.signin_paper, name="signin_paper"),
    path("signout/", views_signin.signout, name="signout"),
    path("codes/", views_signin.paper_codes, name="paper_codes"),  # the village station issues paper codes
    path("", views.home, name="home"),
    path("loans/", views.loans, name="loans"),
    path("loans/<int:pk>/", views.loan, name="loan"),
    path("loans/<int:pk>/quote/", views.quote, name="quote"),
    path("reminders/", views.reminders, name="reminders"),
    path("policy/", views.policy, name="policy"),
    path("apply/", views.apply, name="apply"),
    path("applications/", views.applications, name="applications"),
    path("sw.js", views.service_worker, name="sw"),
]
