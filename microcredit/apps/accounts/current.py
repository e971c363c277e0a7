"""The request being served, for writes that happen in signal handlers (role changes, logins).

Signals do not carry the acting user; `web.middleware.CurrentRequestMiddleware` keeps the
request in a context variable (one per thread/task) so the audit row can name who did it.
Outside a request (jobs, shell, migrations) the actor is the system.
"""

from __future__ import annotations

import contextvars

_request: contextvars.ContextVar = contextvars.ContextVar("microcredit_current_request", default=None)


def set_current_request(request) -> contextvars.Token:
    return _request.set(request)


def reset_current_request(token: contextvars.Token) -> None:
    _request.reset(token)


def current_request():
    return _request.get()


def current_actor():
    """The authenticated user of the current request (session or API token), else None."""
    user = getattr(current_request(), "user", None)
    return user if getattr(user, "is_authenticated", False) else None
