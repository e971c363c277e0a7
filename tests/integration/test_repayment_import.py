"""Repayments in batch: a bank's file is checked whole, posted all or nothing, and idempotent."""

import datetime as dt

import pytest

from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.loans.models import EventKind, LoanEvent
from microcredit.apps.loans.repayment_import import RepaymentImportError, parse_repayments, repayments_import
from tests.batch.portfolio import County
from tests.factories import make_bank, make_user

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 1)
HEADER = "借据号,还款日期,还款金额(元),流水号\n"


@pytest.fixture
def county():
    with pinned_business_date(DAY):
        yield County()


def _csv(*lines: str) -> bytes:
    return (HEADER + "\n".join(lines) + "\n").encode("utf-8-sig")


def _import(data: bytes, user, filename="repayments.csv"):
    return repayments_import(rows=parse_repayments(filename=filename, data=data, user=user), actor=user)


def _repayments():
    return LoanEvent.objects.filter(kind=EventKind.REPAYMENT).count()


def test_a_good_file_posts_every_row_and_a_second_upload_posts_nothing(county):
    a, b = county.loan(), county.loan(village=1)
    data = _csv(f"{a.number},2025-06-21,543.75,LS001", f"{b.number},2025-06-21,543.75,LS002")
    first = _import(data, county.officer)
    assert (first.posted, first.already_posted) == (2, 0) and _repayments() == 2
    assert AuditEntry.objects.filter(action="loan.repayment").count() == 2
    again = _import(data, county.officer)
    assert (again.posted, again.already_posted) == (0, 2) and _repayments() == 2


def test_every_bad_row_is_reported_with_row_column_and_rule_and_nothing_is_written(county):
    loan = county.loan()
    data = _csv(f"{loan.number},2025-06-21,100.00,LS001",
                "NOPE,2025-06-21,100.00,LS002",
                f"{loan.number},2025-02-30,100.00,LS003",
                f"{loan.number},2025-06-21,1.005,LS004",
                f"{loan.number},2025-06-21,100.00,LS001",
                f"{loan.number},2026-07-01,100.00,LS005",
                f"{loan.number},2025-06-21,100.00,")
    with pytest.raises(RepaymentImportError) as refused:
        _import(data, county.officer)
    errors = refused.value.errors
    assert any(e.startswith("第3行 列借据号") for e in errors)
    assert any(e.startswith("第4行 列还款日期") for e in errors)
    assert any(e.startswith("第5行 列还款金额(元)") for e in errors)
    assert any(e.startswith("第6行 列流水号") and "重复" in e for e in errors)
    assert any(e.startswith("第7行 列还款日期") and "业务日期" in e for e in errors)
    assert any(e.startswith("第8行 列流水号") for e in errors)
    assert _repayments() == 0


def test_a_row_the_loan_refuses_rolls_back_the_whole_file(county):
    loan = county.loan()
    data = _csv(f"{loan.number},2025-06-21,100.00,LS001", f"{loan.number},2025-03-01,100.00,LS002")
    with pytest.raises(RepaymentImportError) as refused:
        _import(data, county.officer)
    assert refused.value.errors[0].startswith("第3行")
    assert _repayments() == 0


def test_another_banks_loans_are_not_found(county):
    loan = county.loan()
    other = make_user("bank_officer", scope_regions=[county.tree.county.prefix], bank=make_bank("PSBC", "邮储银行卢氏县支行"), username="other")
    with pytest.raises(RepaymentImportError) as refused:
        _import(_csv(f"{loan.number},2025-06-21,100.00,LS001"), other)
    assert "不存在或不在您的管辖范围内" in refused.value.errors[0]


def test_the_page_and_the_api(client, county):
    loan = county.loan()
    client.force_login(county.officer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("r.csv", _csv(f"{loan.number},2025-06-21,543.75,LS001"), "text/csv")
    html = client.post("/loans/repayments/import/", {"file": upload}).content.decode()
    assert "入账 1 笔" in html
    upload = SimpleUploadedFile("r.csv", _csv(f"{loan.number},2025-06-21,543.75,LS001"), "text/csv")
    response = client.post("/api/v1/repayment-batches", {"file": upload})
    assert response.status_code == 201 and response.json()["already_posted"] == 1
    bad = SimpleUploadedFile("r.csv", _csv("NOPE,2025-06-21,1.00,LS9"), "text/csv")
    response = client.post("/api/v1/repayment-batches", {"file": bad})
    assert response.status_code == 422 and response.json()["errors"][0].startswith("第2行")


def test_a_village_clerk_may_not_post_repayments(client, county):
    client.force_login(county.county_user)
    assert client.get("/loans/repayments/import/").status_code == 403
