"""Query counts that must not grow with the data (issue #15 §4: the N+1s).

- the loan page runs as many queries with 30 events as with 3;
- the fund accounts page and API run as many queries with 5 accounts as with 1;
- ``business_date()`` reads the stored business date once per request, however often it is called,
  and a change of it (or a pin) is seen at once.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from microcredit.apps.core import clock
from microcredit.apps.core.clock import business_date, business_date_scope, pinned_business_date
from microcredit.apps.core.models import SystemSetting
from microcredit.apps.funds import ledger
from microcredit.apps.funds.models import FundAccount
from microcredit.apps.funds.selectors import lending_quota
from microcredit.apps.loans import servicing as svc
from microcredit.apps.loans.models import LoanEvent
from microcredit.apps.reference.models import Bank
from microcredit.domain.money import fen_to_yuan
from tests.batch.portfolio import County

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 1, 1)
PAGE_CEILING = 60
"""A generous bound on any one page here; the real check is "the same count at every size"."""


@pytest.fixture
def county():
    with pinned_business_date(TODAY):
        yield County()


@pytest.fixture
def unpinned_county():
    """The county, built on a pinned date; the test itself runs on the stored business date."""
    with pinned_business_date(TODAY):
        c = County()
        c.loan_for_page = c.loan()
    return c


def _queries(client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def _loan_with_events(county, n: int):
    """A loan with exactly ``n`` events: the disbursement, repayments, and a reversal of every other one."""
    loan = county.loan(village=0)
    day = dt.date(2025, 3, 20)
    made = 1
    while made < n:
        event, _ = svc.repayment_post(loan=loan, amount=100, on=day, actor=county.officer)
        made += 1
        if made + 1 <= n and made % 2 == 0:
            svc.event_reverse(event=event, actor=county.officer, reason="录错金额")
            made += 1
        day += dt.timedelta(days=3)
    assert LoanEvent.objects.filter(loan=loan).count() == n
    return loan


def test_loan_page_queries_do_not_grow_with_events(county, client, django_assert_max_num_queries):
    client.force_login(county.county_user)
    with pinned_business_date(TODAY):
        few = _loan_with_events(county, 3)
        many = _loan_with_events(county, 30)
        client.get(reverse("loans:detail", args=[few.pk]))  # warm the session and permission caches
        n_few, _ = _queries(client, reverse("loans:detail", args=[few.pk]))
        n_many, sql = _queries(client, reverse("loans:detail", args=[many.pk]))
        with django_assert_max_num_queries(PAGE_CEILING):
            client.get(reverse("loans:detail", args=[many.pk]))
    assert n_many == n_few, "\n".join(sql)


def _accounts(county, n: int, start: int = 0) -> list[FundAccount]:
    """``n`` fund accounts of the county, each of another bank, each with a deposit and an active loan."""
    out = []
    for i in range(start, start + n):
        bank = county.bank if i == 0 else Bank.objects.create(code=f"B{i}", name=f"银行{i}", short_name=f"银行{i}")
        account = FundAccount.objects.create(county_code="411224", bank=bank, name=f"专户{i}", opened_on=TODAY)
        ledger.fund_deposit(account=account, amount=1_000_000 * (i + 1), on=TODAY, actor=county.finance)
        ledger.fund_interest(account=account, amount=100 + i, on=TODAY, actor=county.finance)
        county.bank, keep = bank, county.bank
        county.loan(village=i % 2)
        county.bank = keep
        out.append(account)
    return out


@pytest.mark.parametrize("path", ["page", "api"])
def test_fund_accounts_queries_do_not_grow_with_accounts(county, client, path, django_assert_max_num_queries):
    client.force_login(county.finance)
    url = reverse("funds:accounts") if path == "page" else "/api/v1/funds/accounts"
    with pinned_business_date(TODAY):
        _accounts(county, 1)
        client.get(url)
        n_one, _ = _queries(client, url)
        _accounts(county, 5, start=1)  # six accounts now
        n_six, sql = _queries(client, url)
        with django_assert_max_num_queries(PAGE_CEILING):
            client.get(url)
    assert n_six == n_one, "\n".join(sql)


def test_fund_accounts_figures_are_each_accounts_own(county, client):
    """The grouped figures equal the per-account ones (balance, the bank's quota and outstanding)."""
    client.force_login(county.finance)
    with pinned_business_date(TODAY):
        accounts = _accounts(county, 3)
        rows = {r["id"]: r for r in client.get("/api/v1/funds/accounts").json()}
    assert len(rows) == 3
    for a in accounts:
        quota, outstanding = lending_quota(a.bank, a.county_code)
        assert rows[a.pk]["balance"] == fen_to_yuan(ledger.balance(a))
        assert (rows[a.pk]["quota"], rows[a.pk]["outstanding"]) == (fen_to_yuan(quota), fen_to_yuan(outstanding))
        assert outstanding > 0 and quota > 0


def _setting_reads(sql: list[str]) -> int:
    return sum(1 for q in sql if "core_systemsetting" in q and "business_date" in q)


def test_business_date_is_read_once_per_request(unpinned_county, client):
    """Unpinned, a page calls ``business_date()`` several times (the view, the menu's context): one read."""
    SystemSetting.objects.create(key="business_date", value="2026-01-01")
    client.force_login(unpinned_county.county_user)
    loan = unpinned_county.loan_for_page
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("loans:detail", args=[loan.pk])).status_code == 200
    assert _setting_reads([q["sql"] for q in ctx.captured_queries]) == 1


def test_business_date_outside_a_request_reads_each_time():
    """Jobs and the shell have no request: no cache that could outlive a change."""
    SystemSetting.objects.create(key="business_date", value="2026-01-01")
    with CaptureQueriesContext(connection) as ctx:
        assert business_date() == business_date() == dt.date(2026, 1, 1)
    assert _setting_reads([q["sql"] for q in ctx.captured_queries]) == 2


def test_a_changed_or_pinned_date_is_seen_at_once():
    setting = SystemSetting.objects.create(key="business_date", value="2026-01-01")
    with business_date_scope():
        with CaptureQueriesContext(connection) as ctx:
            assert business_date() == dt.date(2026, 1, 1)
            assert business_date() == dt.date(2026, 1, 1)
        assert _setting_reads([q["sql"] for q in ctx.captured_queries]) == 1
        setting.value = "2026-01-02"  # the operator (or a close) moves the date inside the request
        setting.save()
        assert business_date() == dt.date(2026, 1, 2)
        with pinned_business_date(dt.date(2026, 3, 3)):
            assert business_date() == dt.date(2026, 3, 3)
        assert business_date() == dt.date(2026, 1, 2)
        SystemSetting.objects.update_or_create(key="business_date", defaults={"value": "2026-01-05"})
        assert business_date() == dt.date(2026, 1, 5)
        SystemSetting.objects.filter(key="business_date").delete()
        assert business_date() == clock.timezone.localdate()
    with business_date_scope():  # a new request starts afresh
        SystemSetting.objects.create(key="business_date", value="2026-02-01")
        assert business_date() == dt.date(2026, 2, 1)


def test_a_moved_date_is_seen_by_the_next_request(unpinned_county, client):
    SystemSetting.objects.create(key="business_date", value="2026-01-01")
    client.force_login(unpinned_county.county_user)
    loan = unpinned_county.loan_for_page
    url = reverse("loans:detail", args=[loan.pk])
    assert "2026-01-01" in client.get(url).content.decode()
    SystemSetting.objects.filter(key="business_date").update(value="2026-01-09")  # no signal: still seen next request
    assert "2026-01-09" in client.get(url).content.decode()


def test_fund_accounts_stay_scoped(county, client):
    """The grouped read keeps the scope: a bank officer sees its bank's account only, with its figures."""
    with pinned_business_date(TODAY):
        accounts = _accounts(county, 3)
        client.force_login(county.officer)  # the first account's bank
        rows = client.get("/api/v1/funds/accounts").json()
        page = client.get(reverse("funds:accounts")).content.decode()
    assert [r["id"] for r in rows] == [accounts[0].pk]
    assert "专户0" in page and "专户1" not in page and "专户2" not in page
