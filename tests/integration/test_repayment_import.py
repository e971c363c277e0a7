"""Repayments in batch: a bank's file is checked whole, posted all or nothing, and idempotent."""

import datetime as dt
import io
import time

import pytest
import xlsxwriter

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


# ------------------------------------------------------- what real bank files contain (issue 9 §2)

def _xlsx(rows: list[list], header=("借据号", "还款日期", "还款金额(元)", "流水号"), title: str | None = None) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet()
    date_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    first = 0
    if title:
        sheet.write_string(0, 0, title)
        first = 2
    sheet.write_row(first, 0, header)
    for i, row in enumerate(rows, start=first + 1):
        for j, value in enumerate(row):
            if isinstance(value, dt.datetime):
                sheet.write_datetime(i, j, value, date_format)
            elif isinstance(value, str):
                sheet.write_string(i, j, value)
            else:
                sheet.write_number(i, j, value)
    book.close()
    return out.getvalue()


def test_the_formats_bank_exports_use_are_accepted(county):
    loans = [county.loan(village=v % 3) for v in range(8)]
    serial = (dt.date(2025, 6, 21) - dt.date(1899, 12, 30)).days
    cells = [
        (dt.datetime(2025, 6, 21, 14, 23), 543.75),  # a date-time cell and a number cell
        (serial, "1,234.50"),  # an Excel serial date in a General cell; thousands separator
        ("2025/6/21", "５４３．７５"),  # full-width digits
        ("2025年6月21日", " 543.75 元"),
        ("20250621", "¥543.75"),
        (20250621, 543),  # a date typed as the number 20250621
        ("2025-06-21 09:30:00", "543.7"),
        ("２０２５－０６－２１", 1000),
    ]
    rows = [[loan.number, on, amount, f"LS{i:03d}"] for i, (loan, (on, amount)) in enumerate(zip(loans, cells))]
    result = _import(_xlsx(rows, title="某银行 2025年6月 还款明细"), county.officer, filename="还款.xlsx")
    assert result.posted == 8
    amounts = sorted(LoanEvent.objects.filter(kind=EventKind.REPAYMENT).values_list("amount", flat=True))
    assert amounts == sorted([54375, 123450, 54375, 54375, 54375, 54300, 54370, 100000])
    assert set(LoanEvent.objects.filter(kind=EventKind.REPAYMENT).values_list("on", flat=True)) == {dt.date(2025, 6, 21)}


def test_amounts_in_wan_yuan_when_the_header_says_so(county):
    loan = county.loan()
    data = ("借据号,还款日期,还款金额（万元）,流水号\n" + f"{loan.number},2025-06-21,0.054375,LS1\n").encode("gbk")
    _import(data, county.officer)
    assert LoanEvent.objects.get(kind=EventKind.REPAYMENT).amount == 54375


def test_ambiguous_or_oversized_cells_are_row_errors_naming_row_column_value_and_rule(county):
    loan = county.loan()
    data = _csv(f"{loan.number},2025-06-21,1E+1,LS001",
                f"{loan.number},2025-W25-2,100.00,LS002",
                f"{loan.number},2025-06-21,100.00,{'L' * 65}",
                f"{loan.number},2025-06-21,6222021234567890123,LS004",
                f"{loan.number},9999-12-01,100.00,LS005",
                f"{loan.number},2025-06-21,-5,LS006",
                f"{'N' * 40},2025-06-21,1.00,LS007")
    with pytest.raises(RepaymentImportError) as refused:
        _import(data, county.officer)
    errors = refused.value.errors
    assert errors[0] == "第2行 列还款金额(元)：“1E+1” 不是金额（只能是数字，可带千分位逗号和小数点，不能用科学计数法）"
    assert errors[1].startswith("第3行 列还款日期：“2025-W25-2” 不是有效日期")
    assert errors[2].startswith("第4行 列流水号：“LLLL") and "不能超过 64 个字符" in errors[2]
    assert errors[3] == "第5行 列还款金额(元)：“6222021234567890123” 金额过大（上限 10000000000000 元）"
    assert errors[4] == "第6行 列还款日期：“9999-12-01” 年份必须在 1990 至 2100 之间"
    assert errors[5] == "第7行 列还款金额(元)：“-5” 不能为负数"
    assert errors[6].startswith("第8行 列借据号：") and "不能超过 32 个字符" in errors[6]
    assert _repayments() == 0


def test_a_nul_byte_in_a_cell_refuses_the_file_naming_the_row(county):
    loan = county.loan()
    with pytest.raises(RepaymentImportError) as refused:
        _import(_csv(f"{loan.number},2025-06-21,1.00,LS\x00001"), county.officer)
    assert refused.value.errors == ["第 2 行含有空字符（NUL），文件可能已损坏或编码不对"]
    with pytest.raises(RepaymentImportError) as refused:
        _import(_xlsx([[loan.number, "2025-06-21", "1.00", "LS\x00001"]]), county.officer, filename="r.xlsx")
    assert refused.value.errors[0].startswith("第 2 行第 4 列含有空字符（NUL）")
    assert _repayments() == 0


def test_a_large_file_of_bad_rows_is_refused_fast_with_the_first_errors_listed(county):
    data = _csv(*(f"NOPE{i},2025-06-21,1.00,LS{i}" for i in range(40_000)))
    started = time.monotonic()
    with pytest.raises(RepaymentImportError) as refused:
        _import(data, county.officer)
    assert time.monotonic() - started < 5
    assert refused.value.total == 40_000 and len(refused.value.errors) == 501
    assert refused.value.errors[-1] == "……另有 39500 处错误未列出"


def test_an_oversize_upload_is_413_and_a_renamed_program_is_refused(client, county):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(county.officer)
    big = SimpleUploadedFile("r.csv", HEADER.encode() + b"x" * (20 * 1024 * 1024), "text/csv")
    assert client.post("/api/v1/repayment-batches", {"file": big}).status_code == 413
    exe = SimpleUploadedFile("r.xlsx", b"MZ\x90\x00" + b"\x00" * 500, "application/octet-stream")
    response = client.post("/api/v1/repayment-batches", {"file": exe})
    assert response.status_code == 422 and "不是 .xlsx 格式" in response.json()["errors"][0]
    exe.seek(0)
    page = client.post("/loans/repayments/import/", {"file": exe})
    assert page.status_code == 400 and "不是 .xlsx 格式" in page.content.decode()
