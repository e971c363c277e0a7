"""The JSON API root (`/api/v1/`, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs).

Authentication: a bearer token (`POST /api/v1/auth/token`) for banks' systems, or the browser
session. Each app adds its router in `ROUTERS`.
"""

from __future__ import annotations

import importlib

from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from microcredit.apps.accounts.tokens import user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Microcredit API",
    version="1",
    description="小额信贷系统接口：合作银行系统通过令牌调用。金额为元（两位小数字符串），日期为 ISO 8601。",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)

ROUTERS = [
    ("/auth/", "microcredit.apps.accounts.api"),
    ("/registry/", "microcredit.apps.households.api"),
    ("/households", "microcredit.apps.households.api_list"),
    ("/regions/", "microcredit.apps.regions.api"),
    ("/reference/", "microcredit.apps.reference.api"),
    ("/calc/", "microcredit.apps.calc.api"),
    ("/jobs/", "microcredit.apps.jobs.api"),
    ("/loans/", "microcredit.apps.loans.api"),
    ("/repayment-batches", "microcredit.apps.loans.api_import"),
    ("/funds/", "microcredit.apps.funds.api"),
    ("/monitoring/", "microcredit.apps.monitoring.api"),
    ("/rating/", "microcredit.apps.rating.api"),
    ("/origination/", "microcredit.apps.origination.api"),
]

for prefix, module_name in ROUTERS:
    api.add_router(prefix, importlib.import_module(module_name).router)
