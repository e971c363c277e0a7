"""Who a portal request is for (issue #14): a household's own user, confined to the portal.

A household signs in (phone and SMS code, or ID number and a code from the village station) as a
user of role ``household`` linked to its household. That user has no region scope and no permission
beyond the portal; `HouseholdConfinement` (middleware) lets such a user reach only the portal's pages,
its API (``/api/v1/portal/``), sign-out, the language switch and static files — every other page or
endpoint answers 403, whatever its own checks would say. The portal's views take the household from
``request.household`` (`household_required`), never from a URL or a parameter.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseForbidden
from django.shortcuts import redirect

from microcredit.apps.core.clock import now
from microcredit.domain.access import HOUSEHOLD

PORTAL_PREFIXES = ("/portal/", "/api/v1/portal/", "/static/", "/i18n/", "/accounts/logout/", "/logout/")


def is_household_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role == HOUSEHOLD and user.household_id)


IDLE_KEY = "portal_idle_until"  # set by portal.signin.start_session: a household's session ends after idling


def touch_session(request) -> None:
    """Push the household session's idle deadline (MICROCREDIT_PORTAL_IDLE_MINUTES, default 30) forward."""
    minutes = int(getattr(settings, "MICROCREDIT_PORTAL_IDLE_MINUTES", 30))
    request.session[IDLE_KEY] = int(now().timestamp()) + minutes * 60


def _idle_expired(request) -> bool:
    """True (and the household signed out) past the deadline; else the deadline moves (once a minute at most)."""
    session = getattr(request, "session", None)
    deadline = session.get(IDLE_KEY) if session is not None else None
    if deadline is None:
        return False
    moment = int(now().timestamp())
    if moment >= deadline:
        logout(request)
        return True
    if deadline - moment < int(getattr(settings, "MICROCREDIT_PORTAL_IDLE_MINUTES", 30)) * 60 - 60:
        touch_session(request)
    return False


def household_required(view):
    """The view runs for a signed-in household (``request.household``); others go to the sign-in page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_household_user(request.user):
            if getattr(request.user, "is_authenticated", False):
                return HttpResponseForbidden("本页面仅供贷款农户使用")
            return redirect(f"/portal/signin/?next={request.path}")
        request.household = request.user.household
        return view(request, *args, **kwargs)

    return wrapped


class HouseholdConfinement:
    """A household's session or token reaches the portal and nothing else (one guard for every page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if is_household_user(user) and _idle_expired(request):
            user = request.user  # signed out: the request goes on as anonymous
        if is_household_user(user) and not request.path.startswith(PORTAL_PREFIXES):
            return HttpResponseForbidden("本账号只能使用农户服务页面")
        return self.get_response(request)
