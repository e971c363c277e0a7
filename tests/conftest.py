"""Shared fixtures: a small county, one user per role, a pinned business date."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.test import override_settings
from hypothesis import settings

os.environ.setdefault("MICROCREDIT_VAR", os.path.join(os.path.dirname(__file__), "..", "var", "test"))

# No test is timed (speed lives in bench/): Hypothesis's per-example deadline made property tests
# fail when the two cores were busy (CI runs SQLite and PostgreSQL side by side).
settings.register_profile("untimed", deadline=None)
settings.load_profile("untimed")


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Tests create thousands of users: MD5 instead of PBKDF2's ~0.2 s per password (test speed only;
    the deployed hashers are Django's defaults)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def business_day():
    """Pin the business date to 2026-11-20 for the test."""
    from microcredit.apps.core.clock import pinned_business_date

    day = dt.date(2026, 11, 20)
    with pinned_business_date(day):
        yield day
