"""The writes of funds other apps may call (ADR 0008: an app's cross-app surface is its selectors and
services). Their implementations live with their ledgers: ``subsidy.py``, ``claims.py``, ``ledger.py``."""

from __future__ import annotations

from microcredit.apps.funds.subsidy import subsidy_recover

__all__ = ["subsidy_recover"]
