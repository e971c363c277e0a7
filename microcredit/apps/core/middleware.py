"""One guard for pages and the API at the request edge (issue #9 §2, ADR 0006).

- A NUL byte is never valid text, and PostgreSQL refuses it in any query: a query-string or
  form field holding one is refused before any view runs (400 page, or 422 JSON on the API).
- A refused input (``DomainError``) that escapes a page view is a 400 page naming the field and
  the rule in Chinese, never a 500. The API answers its own errors (ninja).
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render

from microcredit.domain.errors import DomainError

NUL_MESSAGE = "不能包含空字符（NUL）"


def _nul_field(request) -> str | None:
    """The first query-string or url-encoded form field holding a NUL byte.

    Multipart bodies are left to the view (parsing them here would consume the stream the API
    reads); Django form fields already refuse NUL (``ProhibitNullCharactersValidator``).
    """
    sources = [request.GET]
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        sources.append(request.POST)  # reads the cached body: the view can still read it
    for params in sources:
        for name, values in params.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                return name.replace("\x00", "")
    return None


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = _nul_field(request)
        if field is not None:
            return self._refuse(request, DomainError(field, NUL_MESSAGE))
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            return self._refuse(request, exception)
        return None

    @staticmethod
    def _refuse(request, error: DomainError):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": f"{error.field}：{error.message}", "field": error.field}, status=422)
        return render(request, "bad_request.html", {"field": error.field, "message": error.message}, status=400)
