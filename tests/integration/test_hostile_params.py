"""No page or endpoint answers 500 to any input tried (issue #9 §2).

Every URL pattern of the site and every operation of the API's OpenAPI schema is called with
hostile values in each of its path parameters, query parameters and JSON body fields: 20-digit
and negative numbers, out-of-range and malformed dates, huge years, NUL bytes, overlong strings.
The answer must be a page, a redirect or a 4xx — never a 5xx. All failures are listed at once.
"""

from __future__ import annotations

import contextlib
import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from microcredit.apps.core.clock import pinned_business_date
from tests.integration.test_access_matrix import TODAY, client_for, world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

HOSTILE = ["abc", "-1", "0", "99999999999999999999", "1e400", "9999-12-01", "2026-99-99", "1000000000000",
           "a\x00b", "x" * 5000, "", "[]", "{}", "2026-W50-2"]
HOSTILE_QUERY = ["abc", "-1", "99999999999999999999", "9999-12-01", "2026-99-99", "1000000000000", "a\x00b",
                 "x" * 5000]
# The scoped roles read the same parameters through the same parsers as the admin: one value of each
# kind (text, huge number, impossible date, NUL, over-long) keeps the suite inside its CI budget.
HOSTILE_QUERY_SCOPED = ["abc", "99999999999999999999", "2026-99-99", "a\x00b", "x" * 5000]
SKIP_PATHS = ("admin/", "logout/", "i18n/", "api/v1/")


def _patterns(resolver: URLResolver, prefix: str = ""):
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _patterns(p, route)
        elif isinstance(p, URLPattern):
            yield route


def page_routes() -> list[str]:
    return sorted({r for r in _patterns(get_resolver()) if not r.startswith(SKIP_PATHS) and "(?P" not in r})


def fill(route: str, value: str) -> str:
    return re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: value, route.lstrip("^").rstrip("$"))


@contextlib.contextmanager
def names_read():
    """Record the query-string names a view reads (QueryDict lookups), to fuzz exactly those."""
    from django.http import QueryDict

    seen: set[str] = set()
    originals = {m: getattr(QueryDict, m) for m in ("get", "getlist", "__getitem__", "__contains__")}

    def spy(method):
        def wrapper(self, key, *args, **kwargs):
            if isinstance(key, str):
                seen.add(key)
            return originals[method](self, key, *args, **kwargs)
        return wrapper

    for m in originals:
        setattr(QueryDict, m, spy(m))
    try:
        yield seen
    finally:
        for m, f in originals.items():
            setattr(QueryDict, m, f)


def _assert_none(failures: list[str]) -> None:
    assert not failures, f"{len(failures)} requests answered 5xx:\n" + "\n".join(failures[:80])


LAST_ERROR: list[str] = []


def _status(client, method: str, url: str, **kw) -> int:
    try:
        return getattr(client, method)(url, **kw).status_code
    except Exception as exc:  # the test client re-raises the view's exception: that is a 500
        LAST_ERROR[:] = [f"{type(exc).__name__}: {str(exc)[:120]}"]
        return 500


@pytest.mark.parametrize("role", ["admin", "bankA", "village"])
def test_pages_never_answer_5xx_to_hostile_parameters(role, world):  # noqa: F811
    client = client_for(role, world)
    failures = []
    with pinned_business_date(TODAY):
        for route in page_routes():
            values = ["99999999999999999999", "0", "-1", "x" * 300] if "<" in route else [None]
            for value in values:
                path = "/" + (fill(route, value) if value is not None else route)
                if value is not None and _status(client, "get", path) >= 500:
                    failures.append(f"GET {path[:120]}")
                if value is not None:
                    continue
                with names_read() as seen:
                    _status(client, "get", path)
                for name in sorted(seen - {"csrfmiddlewaretoken"}):
                    for bad in HOSTILE_QUERY if role == "admin" else HOSTILE_QUERY_SCOPED:
                        if _status(client, "get", path, data={name: bad}) >= 500:
                            failures.append(f"GET {path[:80]}?{name}={bad[:30]!r}")
    _assert_none(failures)


def _schema():
    from microcredit.web.api import api

    return api.get_openapi_schema()


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


def _example(schema: dict, node: dict):
    """A plausible value of a JSON-schema node (so one hostile field is tried at a time)."""
    node = _resolve(schema, node)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            return _example(schema, node[key][0])
    kind = node.get("type")
    if kind == "object":
        return {k: _example(schema, v) for k, v in node.get("properties", {}).items()}
    if kind == "array":
        return [_example(schema, node.get("items", {}))]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    fmt = node.get("format")
    if fmt == "date":
        return TODAY.isoformat()
    if "enum" in node:
        return node["enum"][0]
    return "1"


HOSTILE_JSON = [-1, 0, 10 ** 20, 2 ** 40, -(10 ** 20), "99999999999999999999", "9999-12-01", "2026-99-99",
                "a\x00b", "x" * 5000, None, [], {}, "1E+1", 1.5]


def operations():
    schema = _schema()
    for path, item in schema["paths"].items():
        for method, op in item.items():
            yield schema, path, method, op


@pytest.mark.parametrize("role", ["admin", "bankA"])
def test_api_never_answers_5xx_to_hostile_input(role, world):  # noqa: F811
    client = client_for(role, world)
    failures = []
    with pinned_business_date(TODAY):
        for schema, path, method, op in operations():
            if path.endswith("/auth/token"):
                continue
            params = op.get("parameters", [])
            base_path = re.sub(r"\{\w+\}", "1", path)
            path_variants = [re.sub(r"\{\w+\}", v, path) for v in ("99999999999999999999", "-1", "x" * 300)] \
                if "{" in path else []
            for url in path_variants:
                if _status(client, method, url) >= 500:
                    failures.append(f"{method.upper()} {url[:100]} {LAST_ERROR}")
            for p in (q for q in params if q.get("in") == "query"):
                for bad in HOSTILE:
                    if _status(client, method, base_path + "?" + _qs(p["name"], bad)) >= 500:
                        failures.append(f"{method.upper()} {base_path}?{p['name']}={bad[:30]!r}")
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if not body:
                continue
            good = _example(schema, body["schema"])
            for field in list(good) if isinstance(good, dict) else []:
                for bad in HOSTILE_JSON:
                    data = dict(good) | {field: bad}
                    if _status(client, method, base_path, data=json.dumps(data),
                               content_type="application/json") >= 500:
                        failures.append(f"{method.upper()} {base_path} {field}={str(bad)[:30]!r}")
    _assert_none(failures)


def _qs(name: str, value: str) -> str:
    from urllib.parse import urlencode

    return urlencode({name: value})


def test_a_nul_byte_anywhere_in_a_query_or_form_is_refused_at_the_edge(world):  # noqa: F811
    """PostgreSQL refuses NUL in any text: one guard answers 400/422 before a view or query runs."""
    client = client_for("admin", world)
    page = client.get("/loans/", {"q": "a\x00b"})
    assert page.status_code == 400 and "空字符" in page.content.decode()
    api = client.get("/api/v1/households", {"q": "a\x00b"})
    assert api.status_code == 422 and api.json()["field"] == "q"
    form = client.post("/audit/", "actor=x%00", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 400
