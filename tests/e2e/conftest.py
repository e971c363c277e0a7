"""Browser tests: headless Debian Chromium driven by Playwright, against pytest-django's live server.

Fixtures: `page` (a fresh browser page) and `login(page, username, password)`. Every test here
is marked e2e. Chromium is installed by .ci/run; without /usr/bin/chromium these tests skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("没有 /usr/bin/chromium（.ci/run 会安装 Debian 的 chromium）")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def login(live_server):
    """login(page, username, password="demo") → logs in through the real form."""

    def do_login(page, username: str, password: str = "demo") -> None:
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/**")

    return do_login


@pytest.fixture(autouse=True)
def shipped_reference_data(request):
    """The policy eras and reference rates the migrations ship, back after another browser test's flush.

    The live server needs a transactional database, flushed after each test: a later test would find no
    policy era (no caps, no eligible statuses) unless they are shipped again, as migration 0003 does.
    """
    if "live_server" not in request.fixturenames:
        yield
        return
    from importlib import import_module

    from django.apps import apps

    from microcredit.domain.rates import SHIPPED_RATES

    request.getfixturevalue("transactional_db")
    shipped = import_module("microcredit.apps.reference.migrations.0003_shipped_rates_and_eras")
    PolicyEra, ReferenceRate = apps.get_model("reference", "PolicyEra"), apps.get_model("reference", "ReferenceRate")
    if not PolicyEra.objects.exists():
        fields = {f.name for f in PolicyEra._meta.get_fields()}
        PolicyEra.objects.bulk_create(
            PolicyEra(min_age=18, max_age=65, subsidy_max_years=3, reason=shipped.SHIPPED_REASON,
                      **{k: v for k, v in era.items() if k in fields}) for era in shipped.POLICY_ERAS)
    if not ReferenceRate.objects.exists():
        ReferenceRate.objects.bulk_create(
            ReferenceRate(kind=f.kind, tenor=f.tenor, effective_from=f.effective_from, rate=f.rate,
                          reason=shipped.SHIPPED_REASON) for f in SHIPPED_RATES)
    yield
