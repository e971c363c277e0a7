"""Rate limit of token-authenticated API calls (issue #13 §5): per user, for banks' systems.

The rate is ``settings.MICROCREDIT_API_RATE`` when set, else the environment variable of the same
name, else ``600/min`` (ninja's rate syntax: ``count/period``, period s, min, hour, day, or e.g.
``10/5min``). It is read on every call, so a test or an operator may change it without a restart.
All the tokens of one user share the user's rate (a bank system cannot multiply its rate by
minting tokens). Calls through the browser session (the pages' own scripts) and the token request
itself are not counted here (logins are limited by django-axes). Past the rate: 429
``{"detail": "请求过于频繁……"}`` with ``Retry-After`` in seconds. The counters live in the shared
cache (``CACHES["default"]``, a database table every worker sees).
"""

from __future__ import annotations

import math
import os

from django.conf import settings
from ninja.errors import Throttled
from ninja.throttling import SimpleRateThrottle

DEFAULT_RATE = "600/min"


def api_rate() -> str:
    """The rate of token calls per user now (settings, then the environment, then 600/min)."""
    return getattr(settings, "MICROCREDIT_API_RATE", None) or os.environ.get("MICROCREDIT_API_RATE") or DEFAULT_RATE


class TokenRateThrottle(SimpleRateThrottle):
    """ninja's sliding-window throttle, counting only calls authenticated by a bearer token, per user."""

    cache_format = "api_rate_%(ident)s"

    def __init__(self) -> None:
        super().__init__(DEFAULT_RATE)

    def get_cache_key(self, request):
        token = getattr(request, "api_token", None)
        return None if token is None else self.cache_format % {"ident": token.user_id}

    def allow_request(self, request) -> bool:
        self.rate = api_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def wait(self) -> float:
        """Seconds until the oldest counted call leaves the window (at least one)."""
        oldest = self.history[-1] if self.history else self.now
        return max(1.0, self.duration - (self.now - oldest))


def install(api) -> None:
    """The 429 in Chinese (ninja sets ``Retry-After`` from the throttle's wait)."""

    @api.exception_handler(Throttled)
    def throttled(request, exc: Throttled):
        seconds = max(1, math.ceil(exc.wait or 1))
        return api.create_response(
            request, {"detail": f"请求过于频繁：每个用户的接口调用上限为 {api_rate()}，请 {seconds} 秒后再试",
                      "field": None, "retry_after": seconds}, status=429)
