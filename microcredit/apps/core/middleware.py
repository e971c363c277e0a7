"""One guard for pages: a refused input (``DomainError``) that escapes a view is a 400 page with
the field and the rule in Chinese, never a 500 (issue #9 §2). The API has its own handler."""

from __future__ import annotations

from django.shortcuts import render

from microcredit.domain.errors import DomainError


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError):
            return render(request, "bad_request.html", {"field": exception.field, "message": exception.message},
                          status=400)
        return None
