"""Shared fixtures: a small county, one user per role, a pinned business date."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from hypothesis import settings

os.environ.setdefault("MICROCREDIT_VAR", os.path.join(os.path.dirname(__file__), "..", "var", "test"))

# No test is timed (speed lives in bench/): Hypothesis's per-example deadline made property tests
# fail when the two cores were busy (CI runs SQLite and PostgreSQL side by side).
settings.register_profile("untimed", deadline=None)
settings.load_profile("untimed")


@pytest.fixture
def business_day():
    """Pin the business date to 2026-11-20 for the test."""
    from microcredit.apps.core.clock import pinned_business_date

    day = dt.date(2026, 11, 20)
    with pinned_business_date(day):
        yield day
