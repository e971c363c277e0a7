"""Root URLs: the shell's own pages, the API, and each app's registered urls module under its prefix."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from microcredit.apps.core.registry import URL_INCLUDES
from microcredit.web import views
from microcredit.web.api import api

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(template_name="login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

# Each app registers its urls module in its AppConfig.ready() (core.registry.register_urls); the
# URLconf is built on the first request, after every app is ready.
urlpatterns += [path(inc.prefix, include((inc.urls, inc.namespace))) for inc in URL_INCLUDES.values()]
