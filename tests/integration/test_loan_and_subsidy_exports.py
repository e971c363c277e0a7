"""Excel exports: the loan list (same filters and scope as /loans/) and the quarterly subsidy report."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.funds import subsidy
from microcredit.apps.loans import servicing as svc
from microcredit.apps.loans.models import Installment
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
    assert rows[1][0] == "县" and rows[2][0] == "411224" and rows[2][4] == pytest.approx(batch.total / 100)
    assert rows[-1][0] == "合计" and rows[-1][4] == pytest.approx(batch.total / 100)
    # another county's office and another bank's officer get no rows
    for user in (make_user("county_office", scope_regions=["411225"], username="other-county"),
                 make_user("bank_officer", scope_regions=[county.tree.county.prefix], bank=make_bank("ABC", "农业银行"))):
        client.force_login(user)
        rows = _rows(client.get(reverse("funds:subsidy_report_export"), {"year": 2025, "quarter": 4}))
        assert len(rows) == 3 and rows[-1][0] == "合计" and rows[-1][4] == 0
