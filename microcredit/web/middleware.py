"""The shell's middleware: the current request, no caching of user pages.

The language is Django's LocaleMiddleware: the switch's cookie, else the browser's
Accept-Language, else Chinese (the English catalogue covers the business pages).
"""

from django.utils.cache import patch_cache_control

from microcredit.apps.accounts.current import reset_current_request, set_current_request
from microcredit.apps.core.clock import business_date_scope


class CurrentRequestMiddleware:
    """Keeps the request in a context variable while it is served, so audit rows written by
    signal handlers (role changes, revocations) name the acting user (accounts.current); and
    reads the stored business date at most once per request (``core.clock.business_date_scope``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_current_request(request)
        try:
            with business_date_scope():
                return self.get_response(request)
        finally:
            reset_current_request(token)


class NoStoreForUsersMiddleware:
    """Nothing a signed-in user receives is kept by the browser or a proxy cache.

    Every page, export and API answer for a logged-in user (session or API token) may carry
    personal data (names, ID numbers, loans), so they all get ``Cache-Control: no-store``.
    Static files are served by WhiteNoise before this and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False):
            patch_cache_control(response, no_store=True, private=True)
        return response
