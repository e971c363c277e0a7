"""Bank ledgers API (`/api/v1/ledgers`, issue #13 §5) with a bank's token: a pushed batch is imported
(201 and the report) or refused whole (422, errors naming row and key, nothing written); repayments;
an Idempotency-Key replays the first report, the same key with another body is 409 and another bank's
same key is its own; a file upload is a job whose result is the report; lists and reports scoped to
the bank; templates, the officials register, reconciliation; the OpenAPI schema describes the ledger
endpoints in Chinese with examples; hostile input → Chinese 4xx, never a 500."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from microcredit.apps.exchange import api as exchange_api
from microcredit.apps.exchange.models import (
    ColumnTemplate,
    LedgerChange,
    LedgerImport,
    LedgerLoan,
    LedgerRepayment,
    PublicEmployee,
)
from microcredit.apps.jobs.models import Job
from microcredit.apps.jobs.runner import claim_next, run_job
from microcredit.domain.identity import make_id_number
from microcredit.web.api import api
from tests.batch.portfolio import County
from tests.factories import make_bank, make_household, make_user

pytestmark = pytest.mark.django_db
DAY = "2026-03-15"
STRANGER = make_id_number("411224", dt.date(1985, 1, 1), 7, True)
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def w(business_day, client):
    cache.clear()  # throttle counters of earlier tests
    w = County()
    for user in (w.officer, w.county_user, w.pboc):
        user.set_password("pw-test-123")
        user.save()
    w.ycb = make_bank("YCB", "邮储银行卢氏支行")
    w.ycb_officer = make_user("bank_officer", [w.tree.county.prefix], bank=w.ycb)
    w.village_user = make_user("village_station", [w.tree.villages[0].prefix])
    w.ids = [make_household(w.tree.villages[0], head_id_number=make_id_number("411224", dt.date(1985, 6, 1), 30 + n,
                                                                                True)).head_id_number for n in range(2)]
    w.rows = [
        {"contract_number": "HT01", "borrower_name": "甲", "borrower_id": w.ids[0], "amount": "50000", "term_months": 36,
         "disbursed_on": DAY, "annual_rate": "2.9", "repaid_amount": "0", "balance": "50000"},
        {"contract_number": "HT02", "borrower_name": "乙", "borrower_id": w.ids[1], "amount": 50000.0, "term_months": 36,
         "disbursed_on": DAY, "annual_rate": "3.5", "repaid_amount": "0", "balance": "50000"},
        {"contract_number": "HT03", "borrower_name": "丙", "borrower_id": STRANGER, "amount": "30,000.00",
         "term_months": "36", "disbursed_on": "2026年3月15日", "annual_rate": 2.9, "repaid_amount": None,
         "balance": "30000"},
    ]
    w.auth = {u: token(client, u.username) for u in (w.officer, w.county_user, w.pboc)}
    w.auth[w.ycb_officer] = token(client, w.ycb_officer.username)
    w.auth[w.village_user] = token(client, w.village_user.username)
    client.logout()
    return w


def token(client, username: str) -> dict:
    """A bearer token as a bank's system gets it (POST /api/v1/auth/token)."""
    response = client.post("/api/v1/auth/token", {"username": username, "password": "pw-test-123"},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}


def call(client, method: str, url: str, auth: dict, body=None, **extra):
    fn = getattr(client, method)
    if body is None:
        return fn(url, **auth, **extra)
    return fn(url, body, content_type="application/json", **auth, **extra)


def push(client, w, user, rows, key: str = "", url="/api/v1/ledgers/loans", **body):
    payload = {"rows": rows, **body}
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return call(client, "post", url, w.auth[user], payload, **extra)


def csv_file(rows: list[list], name="台账.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8-sig"), content_type="text/csv")


# --- pushes ---------------------------------------------------------------------------------------------

def test_a_pushed_batch_is_imported_and_reported(client, w):
    response = push(client, w, w.officer, w.rows)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "imported" and body["counts"] == {"read": 3, "created": 3, "updated": 0, "unchanged": 0,
                                                               "rejected": 0}
    assert {f["check"] for f in body["findings"]} == {"rate_over_cap", "not_in_registry"}
    assert STRANGER in str(body["findings"])  # a bank's own system knows its borrowers
    i = LedgerImport.objects.get(pk=body["import_id"])
    assert i.bank == w.bank and i.source == "api"
    assert LedgerLoan.objects.get(contract_number="HT03").amount == 3_000_000
    corrected = [{**w.rows[0], "repaid_amount": "10000", "balance": "40000"}, *w.rows[1:]]
    again = push(client, w, w.officer, corrected).json()
    assert again["counts"]["updated"] == 1 and again["counts"]["unchanged"] == 2
    assert LedgerChange.objects.get().changes["贷款余额(元)"] == ["5000000", "4000000"]


def test_a_batch_with_a_bad_row_is_refused_whole_naming_row_and_key(client, w):
    rows = [dict(r) for r in w.rows]
    rows[1]["amount"] = "五万"
    rows[2]["disbursed_on"] = "2026-13-01"
    response = push(client, w, w.officer, rows)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["status"] == "refused" and body["error_count"] == 2 and body["counts"]["created"] == 0
    assert {(e["row"], e["column"]) for e in body["errors"]} == {(2, "amount"), (3, "disbursed_on")}
    assert all(HAN.search(e["message"]) for e in body["errors"])
    assert not LedgerLoan.objects.exists()
    missing = push(client, w, w.officer, [{"contract_number": "HT9"}])
    assert missing.status_code == 422 and "缺少字段" in missing.json()["errors"][0]["message"]
    empty = push(client, w, w.officer, [])
    assert empty.status_code == 422 and "没有数据行" in empty.json()["errors"][0]["message"]
    assert not LedgerLoan.objects.exists()


def test_repayments_are_pushed_and_upserted_by_reference(client, w):
    push(client, w, w.officer, w.rows)
    rows = [{"contract_number": "HT01", "repaid_on": "2026-10-20", "principal": "5000", "interest": "375.00",
             "penalty": "0", "reference": "LS001"}]
    response = push(client, w, w.officer, rows, url="/api/v1/ledgers/repayments")
    assert response.status_code == 201, response.content
    assert response.json()["counts"]["created"] == 1
    changed = [{**rows[0], "interest": "380.00"}]
    assert push(client, w, w.officer, changed, url="/api/v1/ledgers/repayments").json()["counts"]["updated"] == 1
    assert LedgerRepayment.objects.get().interest == 38000
    bad = push(client, w, w.officer, [{**rows[0], "repaid_on": "2026-12-31"}], url="/api/v1/ledgers/repayments")
    assert bad.status_code == 422 and bad.json()["errors"][0]["row"] == 1


def test_idempotency_keys_replay_conflict_and_are_per_bank(client, w):
    first = push(client, w, w.officer, w.rows, key="NSH-2026-11")
    assert first.status_code == 201
    replay = push(client, w, w.officer, w.rows, key="NSH-2026-11")
    assert replay.status_code == 201 and replay.json() == first.json()
    by_field = push(client, w, w.officer, w.rows, idempotency_key="NSH-2026-11")
    assert by_field.json()["import_id"] == first.json()["import_id"]
    assert LedgerImport.objects.count() == 1
    other_body = push(client, w, w.officer, w.rows[:2], key="NSH-2026-11")
    assert other_body.status_code == 409 and "幂等键" in other_body.json()["detail"]
    theirs = push(client, w, w.ycb_officer, w.rows[:2], key="NSH-2026-11")
    assert theirs.status_code == 201 and theirs.json()["import_id"] != first.json()["import_id"]
    assert LedgerLoan.objects.filter(bank=w.ycb).count() == 2 and LedgerLoan.objects.filter(bank=w.bank).count() == 3
    # a refused batch is replayed as refused
    bad = [{**w.rows[0], "amount": "x"}]
    assert push(client, w, w.officer, bad, key="bad-1").status_code == 422
    assert push(client, w, w.officer, bad, key="bad-1").status_code == 422
    assert LedgerImport.objects.filter(idempotency_key="bad-1").count() == 1


# --- file upload as a job --------------------------------------------------------------------------------

def test_a_file_upload_is_a_job_whose_result_is_the_report(client, w):
    header = ["合同编号", "借款人姓名", "借款人身份证号", "贷款金额(元)", "放款日期", "贷款余额(元)"]
    rows = [header, *[[r["contract_number"], r["borrower_name"], r["borrower_id"], "50000", DAY, "50000"]
                      for r in w.rows]]
    response = client.post("/api/v1/ledgers/imports", {"file": csv_file(rows), "as_of": "2026-11-01"},
                           **w.auth[w.officer])
    assert response.status_code == 202, response.content
    job_id = response.json()["job_id"]
    assert response.json()["status_url"] == f"/api/v1/jobs/{job_id}"
    run_job(claim_next())
    status = call(client, "get", f"/api/v1/jobs/{job_id}", w.auth[w.officer]).json()
    assert status["status"] == "done"
    report = status["result"]
    assert report["counts"]["created"] == 3 and report["status"] == "imported"
    full = call(client, "get", f"/api/v1/ledgers/imports/{report['import_id']}", w.auth[w.officer]).json()
    assert full["counts"] == report["counts"] and full["import_id"] == report["import_id"]
    # the job's result is masked by the jobs API as for any reader without core.see_identity
    assert [(f["check"], f["contract_number"]) for f in full["findings"]] == [
        (f["check"], f["contract_number"]) for f in report["findings"]]
    assert LedgerImport.objects.get().as_of == dt.date(2026, 11, 1)
    # another bank's system cannot read the job
    assert call(client, "get", f"/api/v1/jobs/{job_id}", w.auth[w.ycb_officer]).status_code == 404


@pytest.mark.parametrize(("name", "data", "code"), [
    ("台账.exe", b"MZ\x90\x00" * 10, 422),
    ("台账.xlsx", b"plain text, not a workbook", 422),
])
def test_wrong_files_are_refused_in_chinese(client, w, name, data, code):
    response = client.post("/api/v1/ledgers/imports", {"file": SimpleUploadedFile(name, data)}, **w.auth[w.officer])
    assert response.status_code == code and HAN.search(response.json()["detail"])
    assert not Job.objects.exists()


def test_a_file_too_large_is_413(client, w, monkeypatch):
    monkeypatch.setattr(exchange_api, "UPLOAD_LIMITS", dataclasses.replace(exchange_api.UPLOAD_LIMITS, max_bytes=100))
    response = client.post("/api/v1/ledgers/imports", {"file": csv_file([["合同编号"] * 30] * 5)}, **w.auth[w.officer])
    assert response.status_code == 413 and HAN.search(response.json()["detail"])
    assert not Job.objects.exists()


# --- reads, scoped ----------------------------------------------------------------------------------------

def test_reads_are_scoped_to_the_bank(client, w):
    body = push(client, w, w.officer, w.rows).json()
    mine = w.auth[w.officer]
    imports = call(client, "get", "/api/v1/ledgers/imports", mine).json()
    assert [i["id"] for i in imports] == [body["import_id"]] and imports[0]["bank"] == "NSH"
    loans = call(client, "get", "/api/v1/ledgers/loans?q=HT01", mine).json()
    assert [x["contract_number"] for x in loans] == ["HT01"] and loans[0]["balance"] == "50000.00"
    detail = call(client, "get", f"/api/v1/ledgers/loans/{loans[0]['id']}", mine).json()
    assert detail["fields"]["borrower_id"] == w.ids[0] and detail["fields"]["amount"] == "50000.00"
    theirs = w.auth[w.ycb_officer]
    assert call(client, "get", "/api/v1/ledgers/imports", theirs).json() == []
    assert call(client, "get", "/api/v1/ledgers/loans", theirs).json() == []
    assert call(client, "get", f"/api/v1/ledgers/imports/{body['import_id']}", theirs).status_code == 404
    assert call(client, "get", f"/api/v1/ledgers/loans/{loans[0]['id']}", theirs).status_code == 404
    # the PBoC reads the county's, with ID numbers masked
    pboc = w.auth[w.pboc]
    assert len(call(client, "get", "/api/v1/ledgers/loans", pboc).json()) == 3
    masked = call(client, "get", f"/api/v1/ledgers/imports/{body['import_id']}", pboc).json()
    assert STRANGER not in str(masked) and STRANGER[:6] in str(masked)
    masked_loan = call(client, "get", f"/api/v1/ledgers/loans/{loans[0]['id']}", pboc).json()
    assert masked_loan["fields"]["borrower_id"] != w.ids[0]
    # a village user has no access
    assert call(client, "get", "/api/v1/ledgers/imports", w.auth[w.village_user]).status_code == 403


def test_reconciliation_is_a_job_for_the_county_and_its_result_readable(client, w):
    push(client, w, w.officer, w.rows)
    assert call(client, "post", "/api/v1/ledgers/reconciliations", w.auth[w.officer], {"bank": ""}).status_code == 403
    assert call(client, "post", "/api/v1/ledgers/reconciliations", w.auth[w.pboc], {}).status_code == 403
    response = call(client, "post", "/api/v1/ledgers/reconciliations", w.auth[w.county_user], {"bank": "NSH"})
    assert response.status_code == 202
    job = run_job(claim_next())
    assert job.status == "done", job.message
    run_id = job.result["run_id"]
    run = call(client, "get", f"/api/v1/ledgers/reconciliations/{run_id}", w.auth[w.county_user])
    assert run.status_code == 200, run.content
    assert run.json()["counts"] == {"rate_over_cap": 1, "not_in_registry": 1} and run.json()["rows"] == 3
    assert call(client, "get", f"/api/v1/ledgers/reconciliations/{run_id}", w.auth[w.officer]).status_code == 200
    assert call(client, "get", f"/api/v1/ledgers/reconciliations/{run_id}", w.auth[w.ycb_officer]).status_code == 404
    unknown = call(client, "post", "/api/v1/ledgers/reconciliations", w.auth[w.county_user], {"bank": "ZZZ"})
    assert unknown.status_code == 422 and "ZZZ" in unknown.json()["detail"]


# --- templates and the officials register ----------------------------------------------------------------

def test_templates_get_and_put(client, w):
    mine = w.auth[w.officer]
    put = call(client, "put", "/api/v1/ledgers/templates/NSH", mine, {"mapping": {"borrower_id": "客户证件号"}})
    assert put.status_code == 200 and put.json() == {"bank": "NSH", "mapping": {"borrower_id": "客户证件号"}}
    assert call(client, "get", "/api/v1/ledgers/templates/NSH", mine).json()["mapping"] == {"borrower_id": "客户证件号"}
    assert call(client, "put", "/api/v1/ledgers/templates/YCB", mine, {"mapping": {}}).status_code == 403
    assert call(client, "get", "/api/v1/ledgers/templates/YCB", mine).status_code == 403
    county = w.auth[w.county_user]
    assert call(client, "put", "/api/v1/ledgers/templates/YCB", county, {"mapping": {"contract_number": "借据号码"}}
                ).status_code == 200
    assert ColumnTemplate.objects.get(bank=w.ycb).mapping == {"contract_number": "借据号码"}
    assert call(client, "get", "/api/v1/ledgers/templates/ZZZ", county).status_code == 422
    unknown = call(client, "put", "/api/v1/ledgers/templates/NSH", mine, {"mapping": {"nonsense": "x"}})
    assert unknown.status_code == 422 and "没有这一列" in unknown.json()["detail"]
    long = call(client, "put", "/api/v1/ledgers/templates/NSH", mine, {"mapping": {"borrower_id": "x" * 61}})
    assert long.status_code == 422
    assert call(client, "get", "/api/v1/ledgers/templates/NSH", w.auth[w.pboc]).status_code == 403
    # the next file uses the template
    rows = [["合同编号", "借款人姓名", "客户证件号", "贷款金额(元)", "放款日期", "贷款余额(元)"],
            ["HT01", "甲", w.ids[0], "50000", DAY, "50000"]]
    assert client.post("/api/v1/ledgers/imports", {"file": csv_file(rows)}, **mine).status_code == 202
    assert run_job(claim_next()).result["counts"]["created"] == 1


def test_officials_upload(client, w):
    rows = [["姓名", "身份证号", "工作单位"], ["张三", w.ids[0], "卢氏县财政局"]]
    response = client.post("/api/v1/ledgers/officials", {"file": csv_file(rows, "名册.csv")}, **w.auth[w.county_user])
    assert response.status_code == 201 and response.json() == {"people": 1}
    assert PublicEmployee.objects.get().unit == "卢氏县财政局"
    assert client.post("/api/v1/ledgers/officials", {"file": csv_file(rows, "名册.csv")},
                       **w.auth[w.officer]).status_code == 403
    bad = client.post("/api/v1/ledgers/officials", {"file": csv_file([["姓名", "身份证号"], ["李四", "123"]], "名册.csv")},
                      **w.auth[w.county_user])
    assert bad.status_code == 422 and "第2行" in bad.json()["detail"] and PublicEmployee.objects.count() == 1
    wrong = client.post("/api/v1/ledgers/officials", {"file": SimpleUploadedFile("名册.exe", b"MZ" * 20)},
                        **w.auth[w.county_user])
    assert wrong.status_code == 422 and HAN.search(wrong.json()["detail"])


# --- the schema ----------------------------------------------------------------------------------------

def test_the_openapi_schema_describes_the_ledger_endpoints_in_chinese_with_examples():
    schema = api.get_openapi_schema()
    paths = schema["paths"]
    for path, method in (("/api/v1/ledgers/loans", "post"), ("/api/v1/ledgers/repayments", "post"),
                         ("/api/v1/ledgers/imports", "post"), ("/api/v1/ledgers/imports", "get"),
                         ("/api/v1/ledgers/reconciliations", "post"), ("/api/v1/ledgers/templates/{bank}", "put"),
                         ("/api/v1/ledgers/officials", "post"), ("/api/v1/ledgers/fields", "get")):
        op = paths[path][method]
        assert HAN.search(op.get("description", "") + op.get("summary", "")), (path, method)
    components = schema["components"]["schemas"]
    loan_example = components["LoanBatchIn"]["examples"][0]
    assert loan_example["rows"][0]["borrower_name"] == "张三" and loan_example["idempotency_key"]
    assert components["RepaymentBatchIn"]["examples"][0]["rows"][0]["reference"]
    assert components["TemplateIn"]["examples"][0]["mapping"]["borrower_id"] == "客户证件号"


# --- hostile input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "code", "field"), [
    ({"as_of": "2026-12-31"}, 422, "数据日期不能晚于业务日期"),  # after the business date
    ({"bank": "YCB"}, 403, "银行用户只能报送本行的台账"),  # a bank's token names only its own bank
    ({"bank": "ZZZ"}, 403, "银行用户只能报送本行的台账"),
    ({"idempotency_key": "a\x00b"}, 422, "空字符"),
    ({"as_of": "2026/13/45"}, 422, "as_of"),  # schema errors name the field (ninja's own wording)
    ({"as_of": "明天"}, 422, "as_of"),
    ({"bank": "x" * 17}, 422, "bank"),
    ({"idempotency_key": "k" * 81}, 422, "idempotency_key"),
])
def test_hostile_push_fields_are_refused(client, w, body, code, field):
    response = push(client, w, w.officer, w.rows, **body)
    assert response.status_code == code, response.content
    assert field in str(response.json()["detail"])
    assert not LedgerLoan.objects.exists()


@pytest.mark.parametrize("rows", [
    [{"contract_number": "HT01", "k" * 41: "x"}],
    [{"contract_number": "HT01", "borrower_name": "甲\x00乙"}],
    [{"contract_number": "HT01", "borrower_name": "甲" * 5000, "borrower_id": STRANGER, "amount": "1",
      "disbursed_on": DAY, "balance": "1"}],
    [{"contract_number": ["nested"]}],
    "not a list",
])
def test_hostile_rows_are_4xx_never_500(client, w, rows):
    response = push(client, w, w.officer, rows)
    assert response.status_code == 422, response.content
    assert not LedgerLoan.objects.exists()


def test_too_many_rows_are_refused(client, w):
    response = push(client, w, w.officer, [w.rows[0]] * 10_001)
    assert response.status_code == 422 and not LedgerLoan.objects.exists()


def test_county_naming_an_unknown_bank_is_422(client, w):
    response = push(client, w, w.county_user, w.rows, bank="ZZZ")
    assert response.status_code == 422 and "没有代码为 ZZZ 的银行" in response.json()["detail"]
    upload = client.post("/api/v1/ledgers/imports", {"file": csv_file([["合同编号"]]), "bank": "ZZZ"},
                         **w.auth[w.county_user])
    assert upload.status_code == 422
    future = client.post("/api/v1/ledgers/imports", {"file": csv_file([["合同编号"]]), "as_of": "2027-01-01"},
                         **w.auth[w.county_user])
    assert future.status_code == 422 and "业务日期" in future.json()["detail"]


@pytest.mark.parametrize("url", [
    "/api/v1/ledgers/imports?limit=abc", "/api/v1/ledgers/imports?offset=-1", "/api/v1/ledgers/imports?limit=100000",
    "/api/v1/ledgers/imports/abc", "/api/v1/ledgers/imports/99999999999999999999999", "/api/v1/ledgers/loans/0",
    "/api/v1/ledgers/loans?q=" + "x" * 41, "/api/v1/ledgers/loans?q=a%00b", "/api/v1/ledgers/reconciliations/abc",
    "/api/v1/ledgers/templates/" + "x" * 17,
])
def test_hostile_parameters_are_422(client, w, url):
    response = call(client, "get", url, w.auth[w.county_user])
    assert response.status_code == 422, (url, response.status_code)


@pytest.mark.parametrize("url", ["/api/v1/ledgers/imports/99999999", "/api/v1/ledgers/loans/99999999",
                                 "/api/v1/ledgers/reconciliations/99999999"])
def test_unknown_ids_are_404_in_chinese(client, w, url):
    response = call(client, "get", url, w.auth[w.county_user])
    assert response.status_code == 404 and "管辖范围" in response.json()["detail"]
