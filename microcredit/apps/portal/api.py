"""The household portal's API (`/api/v1/portal`, issue #14 §4): sign-in by code (`api_auth`), then the
household's own data and applications. A portal token opens nothing else (`web.api.BearerToken`)."""

from __future__ import annotations

from ninja import Router

from microcredit.apps.portal import api_auth

router = Router(tags=["农户服务"])
router.add_router("", api_auth.router)
