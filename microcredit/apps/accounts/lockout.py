"""Login lockout with django-axes: the backend, the client IP and the Chinese lockout answer.

Five failed logins of one username from one IP lock that pair for 15 minutes (settings
``AXES_*``); the web login, the admin login and ``POST /api/v1/auth/token`` all count, because
each calls ``authenticate(request, …)``.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from ninja.throttling import BaseThrottle

LOCKED_MESSAGE = "登录失败次数过多，该账户在此地址已被锁定，请{minutes}分钟后再试或联系管理员解锁。"


class LockoutBackend(AxesStandaloneBackend):
    """Axes' lockout check, first in AUTHENTICATION_BACKENDS.

    Axes locks by username + client IP, so it needs the request. Every login path of the
    application passes one (login page, admin, token API); only Django's test client
    ``login()`` and the shell authenticate without a request — there is no client to lock out
    then, so the call goes on to the model backend instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For behind NUM_PROXIES proxies.

    One rule for the lockout (axes) and the API throttles (ninja reads NINJA_NUM_PROXIES), so a
    forged X-Forwarded-For header never buys a fresh counter when no proxy is configured.
    """
    return BaseThrottle().get_ident(request)


def lockout_minutes(request: HttpRequest) -> int:
    cool_off = get_cool_off(request)
    return max(1, int(cool_off.total_seconds() // 60)) if cool_off else 15


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """429 in Chinese: JSON with Retry-After for the API, the lockout page for the browser."""
    minutes = lockout_minutes(request)
    message = LOCKED_MESSAGE.format(minutes=minutes)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "locked_out.html", {"message": message, "minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
