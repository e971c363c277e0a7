from django.urls import path

from microcredit.apps.accounts import views

urlpatterns = [
    path("", views.profile, name="profile"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("password/", views.PasswordChange.as_view(), name="password_change"),
]
