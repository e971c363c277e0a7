"""One plug-in mechanism (ADR 0003): each app registers its job handlers, schedules, role grants,
panels, API routers and pages in its AppConfig.ready(), into registries that live low."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from microcredit.apps.accounts.roles import ROLE_PERMISSIONS
from microcredit.apps.core.panels import AFTER_CLOSE, DASHBOARD_PANELS, HOUSEHOLD_PANELS, LOAN_PANELS
from microcredit.apps.core.registry import API_ROUTERS, URL_INCLUDES, Registry
from microcredit.apps.core.todo import TODO_SOURCES
from microcredit.apps.jobs.runner import HANDLERS, job_handler, register_job_handler
from microcredit.apps.jobs.schedule import SCHEDULES, register_schedule
from microcredit.web.api import api

REGISTRIES = {
    "job kinds": (HANDLERS, {"registry_import", "households_export", "loans_export", "daily_close", "monitoring_rewards",
                             "reminders_maturities", "report", "sms_send", "ledger_import", "ledger_reconcile",
                             "ledger_export"}),
    "schedules": (SCHEDULES, {"export_file_expiry", "daily_close", "ratings_expire", "sms_send"}),
    "dashboard panels": (DASHBOARD_PANELS, {"todo", "households_by_status", "portfolio", "time_to_money", "insurer"}),
    "household-page sections": (HOUSEHOLD_PANELS, {"rating", "loans", "postloan"}),
    "loan-page sections": (LOAN_PANELS, {"collection", "postloan"}),
    "after-close steps": (AFTER_CLOSE, {"collection", "indicator_figures", "projects", "reminders"}),
    "to-do sources": (TODO_SOURCES, {"suspensions", "collection", "postloan_checks", "reminders"}),
    "API routers": (API_ROUTERS, {"/todo", "/auth/", "/users", "/registry/", "/households", "/regions/", "/reference/", "/calc/",
                                  "/jobs/", "/loans/", "/loans/extensions", "/repayment-batches", "/funds/", "/projects",
                                  "/problems/", "/monitoring/", "/reminders/", "/rating/", "/postloan/", "/collection/",
                                  "/origination/", "/ledgers", "/reports", "/ledger-export", "/portal"}),
    "URL includes": (URL_INCLUDES, {"todo/", "account/", "households/", "problems/", "regions/", "reference/", "audit/",
                                    "jobs/", "calc/", "rating/", "origination/", "loans/", "funds/", "projects/",
                                    "monitoring/", "reminders/", "postloan/", "collection/", "ledgers/", "reports/",
                                    "portal/"}),
}


@pytest.mark.parametrize("what", REGISTRIES)
def test_every_entry_comes_from_an_installed_app(what):
    registry, expected = REGISTRIES[what]
    assert set(registry) == expected
    installed = [config.name for config in apps.get_app_configs()]
    entries = registry.entries()
    owners = [apps.get_containing_app_config(entry.module) for entry in entries]
    assert all(owner is not None and owner.name.startswith("microcredit.apps.") for owner in owners), entries
    ranks = [installed.index(owner.name) for owner in owners]
    assert ranks == sorted(ranks)  # listed in INSTALLED_APPS order


def test_every_registered_router_is_mounted_and_every_page_included_in_order():
    mounted = [prefix for prefix, _router in api._routers if prefix]  # ninja keeps ("", its default router)
    assert mounted == list(API_ROUTERS)
    assert reverse("households:list").startswith("/households/")
    assert reverse("monitoring:close").startswith("/monitoring/")


def test_feature_apps_granted_their_roles_in_ready():
    assert "rating.run_campaign" in ROLE_PERMISSIONS["village_station"]
    assert "funds.pay_claim" in ROLE_PERMISSIONS["finance"]
    assert "loans.post_repayment" in ROLE_PERMISSIONS["bank_officer"]
    assert "monitoring.run_close" in ROLE_PERMISSIONS["county_office"]
    assert "origination.apply_loan" in ROLE_PERMISSIONS["household"]


def test_registering_a_name_twice_fails_loudly():
    def other(job, report):
        return None

    with pytest.raises(ImproperlyConfigured, match="daily_close"):
        register_job_handler("daily_close", other)
    with pytest.raises(ImproperlyConfigured, match="ratings_expire"):
        register_schedule("ratings_expire", lambda: None)
    assert HANDLERS["daily_close"].__module__ == "microcredit.apps.monitoring.jobs"  # the first one stays

    @job_handler("test_once")
    def once(job, report):
        return None

    try:
        with pytest.raises(ImproperlyConfigured):
            job_handler("test_once")(other)
    finally:
        HANDLERS.pop("test_once")


def test_a_registry_refuses_a_duplicate_and_keeps_app_order():
    registry = Registry("thing")
    registry.register("b", test_a_registry_refuses_a_duplicate_and_keeps_app_order)  # a test module: last
    registry.register("a", reverse)  # django.urls: not one of our apps either
    with pytest.raises(ImproperlyConfigured, match="thing 'a' registered twice"):
        registry.register("a", reverse)
    assert list(registry) == ["b", "a"]  # outside any app: registration order
