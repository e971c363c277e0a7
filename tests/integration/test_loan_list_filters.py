"""Lists that find things (issue #11 §4): the loan list's filters and sorts on a hand-built portfolio
with known answers, scope, pagination keeping the filters, the API equal to the page, dashboard
figures leading to lists with the same count, and long lists paginated (≤ 200 rows a page)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from microcredit.apps.accounts.tokens import issue_token
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.loans.models import Loan
from microcredit.apps.monitoring.models import LoanDayState
from tests.batch.portfolio import County
from tests.factories import make_bank, make_user

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 30)
ROWS = re.compile(r'<a href="/loans/(\d+)/">')

# name → (village index, bank, balance 元, days past due, class, light, maturity, era, status)
BOOK = {
    "A": (0, "NSH", 100, 0, "normal", "green", dt.date(2027, 6, 15), "2021", "active"),
    "B": (1, "NSH", 300, 15, "special_mention", "red", dt.date(2027, 3, 15), "2021", "active"),
    "C": (2, "YC", 200, 100, "substandard", "red", dt.date(2026, 9, 10), "2021", "active"),
    "D": (3, "NSH", 50, 400, "loss", "red", dt.date(2026, 9, 20), "2026", "active"),
    "E": (0, "YC", 0, 0, "normal", "yellow", dt.date(2026, 5, 1), "2026", "settled"),
    "F": (0, "NSH", 250, 45, "substandard", "red", dt.date(2028, 1, 5), "2026", "active"),
}


@pytest.fixture
def book():
    with pinned_business_date(TODAY):
        county = County()
        banks = {"NSH": county.bank, "YC": make_bank("YC", "豫村银行")}
        loans = {}
        for name, (village, bank, balance, dpd, cls, light, maturity, era, status) in BOOK.items():
            county.bank = banks[bank]
            loan = county.loan(village=village, disbursed=dt.date(2025, 1, 10) + dt.timedelta(days=len(loans)))
            Loan.objects.filter(pk=loan.pk).update(principal_outstanding=balance * 100, days_past_due=dpd,
                                                   classification=cls, maturity_date=maturity, policy_era=era,
                                                   status=status)
            LoanDayState.objects.create(
                loan=loan, as_of=TODAY, region_code=loan.region_code, bank_id=loan.bank_id,
                household_id=loan.household_id, days_past_due=dpd, classification=cls,
                principal_outstanding=balance * 100, overdue_principal=0, overdue_interest=0, penalty_owed=0,
                advance=0, next_due_date=None, warning_light=light)
            loans[loan.pk] = name
        county.bank = banks["NSH"]
        county.banks = banks
        county.names = loans
        yield county


def names(county, client, query: str = "") -> list[str]:
    r = client.get(f"/loans/?{query}")
    assert r.status_code == 200, r.content[:300]
    return [county.names[int(pk)] for pk in ROWS.findall(r.content.decode())]


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("query, expected", [
    ("", "FEDCBA"),  # newest disbursement first
    ("township=411224100000", "FEBA"),
    ("township=411224101", "DC"),  # a prefix works too
    ("village=411224100001", "FEA"),
    ("township=411224100000&village=411224100002", "B"),
    ("village=411224101002", "D"),
    ("classification=substandard", "FC"),
    ("classification=npl", "FDC"),
    ("light=red", "FDCB"),
    ("light=yellow", "E"),
    ("dpd=0", "EA"),
    ("dpd=1-30", "B"),
    ("dpd=31-90", "F"),
    ("dpd=91-180", "C"),
    ("dpd=361%2B", "D"),
    ("dpd=1%2B", "FDCB"),
    ("maturity=2026-09", "DC"),
    ("maturity=2027-06", "A"),
    ("era=2026", "FED"),
    ("status=settled", "E"),
    ("status=active&classification=normal", "A"),
    ("sort=balance", "EDACFB"),
    ("sort=-balance", "BFCADE"),
    ("sort=dpd", "EABFCD"),  # ties: newest id first
    ("sort=-dpd", "DCFBEA"),
    ("sort=maturity", "ECDBAF"),
    ("sort=-maturity&light=red", "FBDC"),
])
def test_each_filter_and_sort_has_its_known_answer(book, query, expected):
    assert "".join(names(book, logged_in(book.county_user), query)) == expected


def test_the_village_picker_lists_the_chosen_townships_villages(book):
    page = logged_in(book.county_user).get("/loans/?township=411224101000").content.decode()
    picker = re.search(r'<select name="village" id="f-village".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="(\d+)"', picker) == ["411224101001", "411224101002"]
    assert 'hx-select="#f-village"' in page  # the township select narrows it in place (htmx)


def test_bank_filter_and_bank_users_see_their_bank_only(book):
    yc = book.banks["YC"]
    assert names(book, logged_in(book.county_user), f"bank={yc.pk}") == ["E", "C"]
    officer = make_user("bank_officer", scope_regions=[book.tree.county.prefix], bank=yc)
    assert names(book, logged_in(officer)) == ["E", "C"]
    assert names(book, logged_in(officer), f"bank={book.bank.pk}") == []


def test_a_village_user_sees_only_its_village_even_when_filtering_another(book):
    clerk = make_user("village_station", scope_regions=[book.tree.villages[0].code])
    client = logged_in(clerk)
    assert names(book, client) == ["F", "E", "A"]
    assert names(book, client, "village=411224100002") == []
    assert names(book, client, "township=411224101000") == []


@pytest.mark.parametrize("query", ["dpd=7-8", "sort=id", "maturity=2026-13", "maturity=202609", "township=4112",
                                   "village=abc", "bank=0", "light=blue", "classification=x", "page=-1",
                                   "q=" + "x" * 200, "era=a%00b"])
def test_bad_filters_are_refused_with_a_400_naming_them(book, query):
    r = logged_in(book.county_user).get(f"/loans/?{query}")
    assert r.status_code == 400, query


def test_pagination_keeps_every_filter_and_the_sort(book):
    with pinned_business_date(TODAY):
        for _ in range(55):
            loan = book.loan(village=1)
            Loan.objects.filter(pk=loan.pk).update(days_past_due=20, principal_outstanding=1000)
    client = logged_in(book.county_user)
    query = "township=411224100000&dpd=1-30&sort=-balance"
    first = client.get(f"/loans/?{query}").content.decode()
    assert len(ROWS.findall(first)) == 50 and 'id="loan-count">56<' in first
    nxt = re.search(r'href="\?([^"]*page=2)"', first).group(1).replace("&amp;", "&")
    assert {k: v for k, v in QueryDict(nxt).items() if k != "page"} == QueryDict(query).dict()
    second = client.get(f"/loans/?{nxt}").content.decode()
    assert len(ROWS.findall(second)) == 6
    assert set(ROWS.findall(first)).isdisjoint(ROWS.findall(second))


def test_the_api_answers_what_the_page_shows(book):
    raw, _ = issue_token(book.county_user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    client = Client()
    for query in ("", "township=411224100000&light=red", "classification=npl&sort=-dpd", "maturity=2026-09",
                  f"bank={book.banks['YC'].pk}", "dpd=31-90&era=2026"):
        r = client.get(f"/api/v1/loans/?{query}", **auth)
        assert r.status_code == 200, (query, r.content[:300])
        assert [book.names[x["id"]] for x in r.json()] == names(book, logged_in(book.county_user), query), query
    assert client.get("/api/v1/loans/?dpd=7-8", **auth).status_code == 422


def test_the_export_uses_the_same_filters(book):
    r = logged_in(book.county_user).get("/loans/export/?classification=npl")
    if r.status_code != 200 or not r["Content-Type"].startswith("application/vnd.openxmlformats"):
        pytest.skip("the export runs as a job (issue #11 §6)")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content))).get_sheet_by_index(0).to_python()
    expected = {Loan.objects.get(pk=pk).number for pk, n in book.names.items() if n in "FDC"}
    assert {row[0] for row in rows[1:]} == expected


def test_the_close_pages_village_view_names_each_villages_township(book):
    from microcredit.apps.monitoring.close import run_close

    with pinned_business_date(TODAY):
        run_close(TODAY)
        page = logged_in(book.county_user).get(reverse("monitoring:close") + "?level=village").content.decode()
    table = page[page.index('id="aggregates"'):]
    assert "<th>乡镇</th>" in table
    for village in book.tree.villages:
        assert re.search(rf">{village.name}</a></td><td>{village.parent.name}</td>", table), village.name


def test_a_subsidy_batch_of_2000_lines_renders_at_most_200_rows_a_page(book):
    from microcredit.apps.funds.models import SubsidyBatch, SubsidyLine

    loan = Loan.objects.order_by("id").first()
    batch = SubsidyBatch.objects.create(number="TX-2000", bank=book.bank, county_code="411224", period="quarter",
                                        period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 3, 31),
                                        line_count=2000, total=2000 * 100)
    SubsidyLine.objects.bulk_create(
        SubsidyLine(batch=batch, loan=loan, schedule_version=1, seq=i, period_start=dt.date(2026, 1, 1),
                    due_date=dt.date(2026, 3, 21), days_in_window=80, rate="4.3500", ratio="1.0000", amount=100)
        for i in range(1, 2001))
    client = logged_in(book.county_user)
    seen = 0
    for number in (1, 2, 20):
        r = client.get(reverse("funds:batch", args=[batch.pk]) + f"?page={number}")
        assert r.status_code == 200
        rows = len(ROWS.findall(r.content.decode()))
        assert 0 < rows <= 200 and len(r.content) < 200_000
        seen += rows
    assert "第 20 / 20 页" in r.content.decode() and seen == 300


# ------------------------------------------------------------------------------------------------
# The demo county at test scale (kept to the end of the module: its data lives until the module ends):
# every dashboard figure links to a list with the same count; loan, household and application link.

@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from microcredit.demo.runner import generate
    from microcredit.demo.scales import scale_for

    with django_db_blocker.unblock():
        with transaction.atomic():
            ctx = generate(seed=1, scale=scale_for("test"), business_date=dt.date(2026, 12, 3),
                           progress=io.StringIO())
            yield ctx
            transaction.set_rollback(True)


LINK = re.compile(r'<a href="(/(?:loans|households)/\?[^"]*)"[^>]*>\s*([\d,.]+)\s*</a>')


def test_dashboard_figures_link_to_lists_with_the_same_count(demo):
    for role in ("county", "bank"):
        client = logged_in(demo.users[role])
        with pinned_business_date(dt.date(2026, 12, 3)):
            page = client.get("/").content.decode()
            links = LINK.findall(page)
            counts = [(href, figure) for href, figure in links if "." not in figure]
            assert len(counts) >= 8, (role, len(counts))  # 2 townships × (loans, red, yellow, green) at least
            for href, figure in counts:
                target = client.get(href.replace("&amp;", "&")).content.decode()
                found = re.search(r'共\s*(?:<span id="loan-count">)?(\d+)(?:</span>)?\s*[笔户]', target)
                assert found and int(found.group(1)) == int(figure.replace(",", "")), (role, href, figure)


def test_loan_household_and_application_pages_link_to_each_other(demo):
    from microcredit.apps.origination.models import LoanApplication

    app = LoanApplication.objects.filter(loan__isnull=False).select_related("loan").order_by("id").first()
    client = logged_in(demo.users["county"])
    with pinned_business_date(dt.date(2026, 12, 3)):
        loan_page = client.get(reverse("loans:detail", args=[app.loan_id])).content.decode()
        assert reverse("households:detail", args=[app.household_id]) in loan_page
        assert reverse("origination:detail", args=[app.pk]) in loan_page
        assert reverse("loans:detail", args=[app.loan_id]) in client.get(
            reverse("origination:detail", args=[app.pk])).content.decode()
        household_page = client.get(reverse("households:detail", args=[app.household_id])).content.decode()
        assert reverse("loans:detail", args=[app.loan_id]) in household_page
        assert reverse("origination:detail", args=[app.pk]) in household_page
