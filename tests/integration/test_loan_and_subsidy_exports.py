"""Excel exports: the loan list (same filters and scope as /loans/) and the quarterly subsidy report."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.core.excel import ExportWorkbook, Money
from microcredit.apps.funds import subsidy
from microcredit.apps.loans import servicing as svc
from microcredit.apps.households.models import Household
from microcredit.apps.loans.models import Installment, Loan
from tests.batch.portfolio import County
from tests.factories import make_bank, make_user

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 1, 10)


def _rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


@pytest.fixture
def county():
    with pinned_business_date(TODAY):
        c = County()
        c.a = c.loan(village=0, disbursed=dt.date(2025, 3, 15))
        c.b = c.loan(village=2, disbursed=dt.date(2025, 4, 1))  # other township
        yield c


def test_loan_export_keeps_filters_and_scope(client, county):
    client.force_login(county.county_user)
    rows = _rows(client.get(reverse("loans:export")))
    assert rows[0][0] == "借据号" and {r[0] for r in rows[1:]} == {county.a.number, county.b.number}
    rows = _rows(client.get(reverse("loans:export"), {"q": county.b.number}))
    assert [r[0] for r in rows[1:]] == [county.b.number]
    # a township user sees only its township's loan, whatever the filter
    township = make_user("township_station", scope_regions=[county.tree.townships[0].prefix])
    client.force_login(township)
    rows = _rows(client.get(reverse("loans:export")))
    assert [r[0] for r in rows[1:]] == [county.a.number]
    assert len(_rows(client.get(reverse("loans:export"), {"q": county.b.number}))) == 1
    # an officer of another bank sees none
    other = make_user("bank_officer", scope_regions=[county.tree.county.prefix], bank=make_bank("ABC", "农业银行"))
    client.force_login(other)
    assert len(_rows(client.get(reverse("loans:export")))) == 1
    page = client.get(reverse("loans:list"), {"status": "active"})
    assert reverse("loans:export") + "?status=active" in page.content.decode()


def test_subsidy_report_export_matches_page_and_scope(client, county):
    with pinned_business_date(TODAY):
        for i in Installment.objects.filter(loan=county.a, due_date__lte=TODAY):
            svc.repayment_post(loan=county.a, amount=i.principal + i.interest, on=i.due_date, actor=county.officer)
        batch = subsidy.batch_draft(bank=county.bank, county_code="411224", period="quarter",
                                    start=dt.date(2025, 10, 1), actor=county.officer)
        subsidy.batch_transition(batch=batch, action="verify", actor=county.pboc)
        subsidy.batch_transition(batch=batch, action="approve", actor=county.county_user)
        subsidy.batch_transition(batch=batch, action="pay", actor=county.finance)
    assert batch.total > 0
    client.force_login(county.county_user)
    page = client.get(reverse("funds:subsidy_report"), {"year": 2025, "quarter": 4}).content.decode()
    assert reverse("funds:subsidy_report_export") + "?year=2025&amp;quarter=4" in page
    rows = _rows(client.get(reverse("funds:subsidy_report_export"), {"year": 2025, "quarter": 4}))
    assert rows[1][0] == "县" and rows[2][0] == county.tree.county.name and rows[2][4] == pytest.approx(batch.total / 100)  # the county by name (issue #11 §3)
    assert rows[-1][0] == "合计" and rows[-1][4] == pytest.approx(batch.total / 100)
    # another county's office and another bank's officer get no rows
    for user in (make_user("county_office", scope_regions=["411225"], username="other-county"),
                 make_user("bank_officer", scope_regions=[county.tree.county.prefix], bank=make_bank("ABC", "农业银行"))):
        client.force_login(user)
        rows = _rows(client.get(reverse("funds:subsidy_report_export"), {"year": 2025, "quarter": 4}))
        assert len(rows) == 3 and rows[-1][0] == "合计" and rows[-1][4] == 0


# ----------------------------------------------------------------- formula injection, exact money

FORMULA = '=HYPERLINK("http://x","点击")'


def _cells(response) -> dict[str, tuple[str | None, bool, str]]:
    """Every cell of the first sheet as reference → (type attribute, has a formula, its text)."""
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        root = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
        shared = []
        if "xl/sharedStrings.xml" in book.namelist():
            shared = ["".join(si.itertext()) for si in ElementTree.fromstring(book.read("xl/sharedStrings.xml"))]
    cells = {}
    for c in root.iter(f"{{{XLSX_NS}}}c"):
        kind, value = c.get("t"), c.find(f"{{{XLSX_NS}}}v")
        text = shared[int(value.text)] if kind == "s" else "".join(c.itertext())
        cells[c.get("r")] = (kind, c.find(f"{{{XLSX_NS}}}f") is not None, text)
    return cells


XLSX_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.mark.parametrize("url", ["loans:export", "households:export"])
def test_a_name_that_looks_like_a_formula_is_exported_as_a_string_cell(client, county, url):
    Household.objects.filter(pk=county.a.household_id).update(head_name=FORMULA)
    client.force_login(county.county_user)
    cells = _cells(client.get(reverse(url)))
    hits = [(ref, kind, formula) for ref, (kind, formula, text) in cells.items() if text == FORMULA]
    assert hits, "the name is in the export"
    assert all(kind in ("s", "inlineStr") and not formula for _, kind, formula in hits), hits


def test_money_is_written_from_integer_fen_exactly(client, county):
    Loan.objects.filter(pk=county.a.pk).update(principal=123456789, principal_outstanding=1)
    client.force_login(county.county_user)
    rows = _rows(client.get(reverse("loans:export"), {"q": county.a.number}))
    assert rows[1][5] == 1234567.89 and rows[1][6] == 0.01
    cells = _cells(client.get(reverse("loans:export"), {"q": county.a.number}))
    assert cells["F2"][2] == "1234567.89" and cells["G2"][2] == "0.01"


def test_the_writer_keeps_amounts_beyond_excels_precision_as_exact_text_and_refuses_floats():
    book = ExportWorkbook()
    sheet = book.sheet("s")
    sheet.row(0, [Money(10**17 + 1), Money(-5), FORMULA, 10**16])
    with pytest.raises(TypeError):
        sheet.row(1, [0.1])
    rows = CalamineWorkbook.from_filelike(book.finish()).get_sheet_by_index(0).to_python()
    assert rows[0] == ["1000000000000000.01", -0.05, FORMULA, "10000000000000000"]
