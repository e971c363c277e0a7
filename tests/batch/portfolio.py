"""Helpers for servicing tests: a county with a bank, officers and loans opened via loan_open."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.factories import make_bank, make_household, make_region_tree, make_user


class County:
    def __init__(self):
        self.tree = make_region_tree()
        self.bank = make_bank()
        self.officer = make_user("bank_officer", scope_regions=[self.tree.county.prefix], bank=self.bank)
        self.county_user = make_user("county_office", scope_regions=[self.tree.county.prefix])
        self.pboc = make_user("pboc", scope_regions=[self.tree.county.prefix])
        self.finance = make_user("finance", scope_regions=[self.tree.county.prefix])

    def loan(self, *, village=0, principal=5000000, rate="4.35", disbursed=dt.date(2025, 3, 15), months=36,
             method="interest_quarterly", household=None, subsidy_mode="claim"):
        from microcredit.apps.loans.services import loan_open

        hh = household or make_household(self.tree.villages[village])
        return loan_open(household=hh, borrower=hh.members.first(), bank=self.bank, principal=principal,
                         annual_rate=Decimal(rate), cap_rate=Decimal("4.75"), disbursed_on=disbursed,
                         term_months=months, method=method, policy_era="2021", actor=self.officer,
                         subsidy_mode=subsidy_mode)
