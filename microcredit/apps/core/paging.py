"""One way to page a list (issue #11 §4: no page renders more than ~200 rows): the page asked for by
``?page=`` (bounded, a bad value is a 400 naming it) and the query string without it, which the shared
``pagination.html`` include appends to its links so every filter is kept across pages."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

from microcredit.apps.core.params import int_param

MAX_PAGE = 10**6


def page_of(request, items, per_page: int = 50) -> tuple[Page, str]:
    """The requested page of ``items`` (the last one when past the end) and the query without ``page``."""
    page = Paginator(items, per_page).get_page(int_param(request.GET, "page", hi=MAX_PAGE))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
