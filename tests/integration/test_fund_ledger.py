"""Risk compensation fund: double-entry ledger, balances, the 10× lending quota."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.funds import ledger
from microcredit.apps.funds.models import FundAccount
from microcredit.apps.funds.selectors import fund_quota, lending_quota
from microcredit.domain.policy import quota_failures
from tests.batch.portfolio import County

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 1, 5)


@pytest.fixture
def county():
    with pinned_business_date(ON):
        c = County()
        c.account = FundAccount.objects.create(county_code="411224", bank=c.bank, name="卢氏县风险补偿金（农商行）", opened_on=ON)
        yield c


def unbalanced_entries():
    with connection.cursor() as cur:
        cur.execute("SELECT entry_id, SUM(amount) FROM funds_posting GROUP BY entry_id HAVING SUM(amount) <> 0")
        return cur.fetchall()


def test_every_journal_entry_balances_and_balance_is_derived(county):
    a = county.account
    ledger.fund_deposit(account=a, amount=100000000, on=ON, actor=county.finance)
    ledger.fund_interest(account=a, amount=35012, on=ON, actor=county.finance)
    ledger.fund_deposit(account=a, amount=5000000, on=ON, actor=county.finance, top_up=True)
    ledger.fund_transfer_out(account=a, amount=12, on=ON, actor=county.finance)
    assert ledger.balance(a) == 100000000 + 35012 + 5000000 - 12
    assert sum(ledger.balances(a).values()) == 0
    assert unbalanced_entries() == []
    with pytest.raises(ledger.LedgerError):
        ledger.entry_post(account=a, kind="deposit", on=ON, actor=None, lines=[("fund_cash", 5), ("county_contribution", -4)])
    with pytest.raises(ledger.LedgerError):
        ledger.fund_transfer_out(account=a, amount=10**12, on=ON, actor=None)
    assert unbalanced_entries() == []


def test_lending_quota_is_ten_times_the_balance(county):
    ledger.fund_deposit(account=county.account, amount=1000000, on=ON, actor=None)  # 1 万元 → 10 万元 quota
    county.loan(principal=5000000)
    assert lending_quota(county.bank, "411224") == (10000000, 5000000)
    quota = fund_quota(bank=county.bank, region_code="411224100001")
    assert quota_failures(quota, 5000000) == []
    assert "超出风险补偿金放大额度" in quota_failures(quota, 5000001)[0].message
