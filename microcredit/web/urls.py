"""Root URLs: the shell's own pages, the API, and each app's urls module under its prefix."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from microcredit.web.api import api
from microcredit.web import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(template_name="login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

APP_URLS = [
    ("account/", "microcredit.apps.accounts.urls", "accounts"),
    ("households/", "microcredit.apps.households.urls", "households"),
    ("regions/", "microcredit.apps.regions.urls", "regions"),
    ("reference/", "microcredit.apps.reference.urls", "reference"),
    ("audit/", "microcredit.apps.audit.urls", "audit"),
    ("jobs/", "microcredit.apps.jobs.urls", "jobs"),
    ("calc/", "microcredit.apps.calc.urls", "calc"),
    ("rating/", "microcredit.apps.rating.urls", "rating"),
    ("origination/", "microcredit.apps.origination.urls", "origination"),
    ("loans/", "microcredit.apps.loans.urls", "loans"),
    ("funds/", "microcredit.apps.funds.urls", "funds"),
    ("monitoring/", "microcredit.apps.monitoring.urls", "monitoring"),
]

urlpatterns += [path(prefix, include((module_name, namespace))) for prefix, module_name, namespace in APP_URLS]
