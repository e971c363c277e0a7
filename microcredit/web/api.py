"""The JSON API root (`/api/v1/`, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs).

Authentication: a bearer token (`POST /api/v1/auth/token`) for banks' systems, or the browser
session. Each app registers its router in its `AppConfig.ready()` (`core.registry.register_api`);
they are mounted in INSTALLED_APPS order. The docs and the schema need a login; the docs
page uses the vendored Swagger UI (web/static/vendor/swagger-ui), never a CDN.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from ninja import NinjaAPI, Swagger
from ninja.security import HttpBearer, django_auth

from microcredit.apps.accounts.tokens import token_for_raw
from microcredit.apps.core import api_errors
from microcredit.apps.core.registry import API_ROUTERS
from microcredit.apps.portal.access import is_household_user

PORTAL_API = "/api/v1/portal/"
from microcredit.web import api_rate


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        api_token = token_for_raw(token)
        if api_token is None:
            return None
        if is_household_user(api_token.user) and not request.path.startswith(PORTAL_API):
            return None  # a household's token opens the portal's API and nothing else (issue #14 §4)
        request.user = api_token.user
        request.api_token = api_token  # DELETE /auth/token revokes the token that was used
        return api_token.user


class VendoredSwagger(Swagger):
    """Swagger UI from our static files (ninja would fall back to a CDN without "ninja" in
    INSTALLED_APPS); the page's script is a static file too, as the CSP allows no inline code."""

    template = "api_docs.html"

    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        return render(request, self.template, {"swagger_settings": self.settings, "api": api})


api = NinjaAPI(
    title="Microcredit API",
    version="1",
    description="小额信贷系统接口：合作银行系统通过令牌调用。金额一律为元（两位小数字符串，如 1234.50；没有以分计的 *_fen 字段），日期为 ISO 8601。规则不符返回 422 {detail, field}，流程状态冲突返回 409。",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
    docs=VendoredSwagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    docs_decorator=login_required,
    throttle=[api_rate.TokenRateThrottle()],  # token calls per user (web/api_rate.py, issue #13 §5)
)
api_rate.install(api)  # 429 in Chinese with Retry-After
api_errors.install(api)  # every DomainError: 422 {"detail", "field"}, a ConflictError 409 (ADR 0006)

for prefix, api_module in API_ROUTERS.items():  # each app registers its router in its AppConfig.ready()
    api.add_router(prefix, api_module.router)
