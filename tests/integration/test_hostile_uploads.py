"""Hostile uploads never crash anything (issue #9 §2).

Generated files — spreadsheet dimension bombs, a zip bomb, truncated and foreign archives, a
huge cell, NUL bytes, GBK and UTF-16 CSV, an .exe renamed .xlsx, an oversize file — are posted
to the batch repayment page and API and to the registry import upload. Each answer is a 4xx
with a Chinese reason (or, for the registry, a job that ends with errors, never one left
running), and the server still answers a good file afterwards.
"""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.core.tables import TableError, read_cells
from microcredit.apps.jobs.models import Job
from microcredit.apps.jobs.runner import run_job
from microcredit.apps.loans.repayment_import import LIMITS
from tests.batch.portfolio import County
from tests.factories import make_region_tree, make_user

pytestmark = pytest.mark.django_db
HEADER = "借据号,还款日期,还款金额(元),流水号\n"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def xlsx(cells: str, dimension: str | None = "A1:XFD1048576", *, pad_bytes: int = 0) -> bytes:
    """A minimal .xlsx built by hand: `cells` is the <sheetData> content, as an attacker writes it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>'))
        book.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{R_NS}/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>'))
        book.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{R_NS}"><sheets>'
            '<sheet name="还款" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        book.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{R_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
            '</Relationships>'))
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">'.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(f"<sheetData>{cells}</sheetData>".encode())
            for _ in range(pad_bytes // MB_CHUNK):  # a zip bomb: megabytes of nothing, compressed to kilobytes
                sheet.write(b" " * MB_CHUNK)
            sheet.write(b"</worksheet>")
    return out.getvalue()


MB_CHUNK = 1024 * 1024


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def two_cells(last: str, last_row: int) -> str:
    """A1 and one far cell: calamine sizes its grid by them (A1:XFD1048576 is 512 GiB)."""
    return (f'<row r="1">{text_cell("A1", "借据号")}</row>'
            f'<row r="{last_row}"><c r="{last}"><v>1</v></c></row>')


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256)) * 8
GOOD_XLSX = xlsx(f'<row r="1">{text_cell("A1", "借据号")}{text_cell("B1", "还款日期")}</row>', "A1:B1")

HOSTILE = {
    "dimension_bomb.xlsx": xlsx(two_cells("XFD1048576", 1048576)),
    "undeclared_bomb.xlsx": xlsx(two_cells("XFD1048576", 1048576), dimension=None),
    "lying_dimension_bomb.xlsx": xlsx(two_cells("XFD1048576", 1048576), dimension="A1:B2"),
    "wide_sheet.xlsx": xlsx(two_cells("CV40000", 40000), dimension=None),  # 40,000 × 100
    "zip_bomb.xlsx": xlsx(two_cells("B2", 2), dimension="A1:B2", pad_bytes=60 * MB_CHUNK),
    "truncated.xlsx": GOOD_XLSX[: len(GOOD_XLSX) // 2],
    "huge_cell.xlsx": xlsx(f'<row r="1">{text_cell("A1", "x" * 50_000)}</row>', "A1"),
    "nul_cell.xlsx": xlsx(f'<row r="1">{text_cell("A1", "借据号")}{text_cell("B1", "a" + chr(0) + "b")}</row>', "A1:B1"),
    "nul_reference.xlsx": xlsx(f'<row r="1">{text_cell("A1", "LS&#0;1")}</row>', "A1"),
    "billion_laughs.xlsx": xlsx('<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>', "A1").replace(
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet', b"<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY lol \"lol\">"
        + b"".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'.encode()
                   for i in range(1, 10)) + b"]><worksheet"),
    "word.xlsx": (lambda out: (zipfile.ZipFile(out, "w").writestr("word/document.xml", "<w/>"), out.getvalue())[1])(
        io.BytesIO()),
    "program.xlsx": EXE,
    "program.csv": EXE,
    "program.exe": EXE,
    "sheet.xls": b"PK\x03\x04 not an ole file",
    "nul.csv": (HEADER + "L1,2025-06-21,1.00,LS\x0001\n").encode(),
    "utf16.csv": (HEADER + "L1,2025-06-21,1.00,LS1\n").encode("utf-16"),
    "huge_cell.csv": (HEADER + "L1,2025-06-21,1.00," + "9" * 200_000 + "\n").encode(),
    "many_columns.csv": (HEADER + ",".join(["1"] * 5_000) + "\n").encode(),
    "empty.csv": b"",
    "oversize.csv": HEADER.encode() + b"L1,2025-06-21,1.00,LS1\n" * (LIMITS.max_bytes // 20),
}


@pytest.fixture
def county():
    with pinned_business_date(dt.date(2026, 6, 1)):
        county = County()
        county.probe = county.loan()
        yield county


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "application/octet-stream")


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_repayment_page_and_api_refuse_each_hostile_file_with_a_reason(client, county, name):
    client.force_login(county.officer)
    started = time.monotonic()
    page = client.post(reverse("loans:repayments_import"), {"file": _upload(name, HOSTILE[name])})
    api = client.post("/api/v1/repayment-batches", {"file": _upload(name, HOSTILE[name])})
    assert time.monotonic() - started < 10, "refusals are fast"
    assert 400 <= page.status_code < 500 and 400 <= api.status_code < 500, (page.status_code, api.status_code)
    body = api.json()
    assert body["errors"] and all(isinstance(e, str) and e for e in body["errors"]), body
    if name == "oversize.csv":
        assert api.status_code == 413 and "文件过大" in body["errors"][0]
    _still_answers(client, county)


def _still_answers(client, county):
    good = (HEADER + f"{county.probe.number},2025-06-21,1.00,PROBE\n").encode("gbk")
    response = client.post("/api/v1/repayment-batches", {"file": _upload("回款.csv", good)})
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_the_registry_upload_refuses_each_hostile_file_or_its_job_ends_with_errors(client, name):
    tree = make_region_tree()
    client.force_login(make_user("county_office", scope_regions=[tree.county.prefix]))
    response = client.post(reverse("households:import"), {"file": _upload(name, HOSTILE[name])})
    if response.status_code == 302:  # accepted at the edge: the job reads it, bounded, and reports
        job = run_job(Job.objects.get(kind="registry_import"))
        assert job.status == "done" and job.result["ok"] is False and job.result["errors"], (job.status, job.result)
    else:
        assert 400 <= response.status_code < 500
        assert not Job.objects.filter(kind="registry_import").exists()
        assert "errorlist" in response.content.decode()
    assert client.get(reverse("households:import")).status_code == 200


def test_dimension_bombs_are_refused_before_the_sheet_is_built():
    started = time.monotonic()
    with pytest.raises(TableError, match="文件行数超过上限"):
        read_cells("bomb.xlsx", HOSTILE["dimension_bomb.xlsx"])
    for name in ("undeclared_bomb.xlsx", "lying_dimension_bomb.xlsx"):
        with pytest.raises(TableError, match="超出内存或时间上限"):
            read_cells(name, HOSTILE[name])
    with pytest.raises(TableError, match="列数超过上限"):
        read_cells("wide.xlsx", HOSTILE["wide_sheet.xlsx"], LIMITS)
    assert time.monotonic() - started < 5


def test_gbk_csv_is_read_and_its_rows_checked(client, county):
    client.force_login(county.officer)
    data = (HEADER + "不存在的借据,2025-06-21,1.00,LS1\n").encode("gb18030")
    body = client.post("/api/v1/repayment-batches", {"file": _upload("还款.csv", data)}).json()
    assert body["errors"] == ["第2行 列借据号：“不存在的借据” 贷款不存在或不在您的管辖范围内"]


def test_cells_name_row_and_column_when_too_long_or_carrying_nul():
    with pytest.raises(TableError) as long_cell:
        read_cells("x.xlsx", HOSTILE["huge_cell.xlsx"])
    assert (long_cell.value.row, long_cell.value.column) == (1, 1) and "内容过长" in long_cell.value.message
    with pytest.raises(TableError) as nul:
        read_cells("x.xlsx", HOSTILE["nul_cell.xlsx"])
    assert (nul.value.row, nul.value.column) == (1, 2) and "NUL" in nul.value.message
