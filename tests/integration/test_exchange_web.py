"""Bank-ledger pages (issue #13) as each role: a bank officer imports its own bank's ledger only and sees
nothing of another bank's; the county imports for any bank or by the 贷款银行 column, runs reconciliation,
uploads the register of public employees and edits a bank's column template; the PBoC, finance and the
auditor read (403 on every POST); village and township users have no access. The upload runs as a job
whose status partial and report show counts, errors (row, column, message) and findings, with ID numbers
masked for a reader without core.see_identity; a corrected file shows in the loan's change history; a
saved template is used by the next import. Hostile input on every form and parameter → Chinese 4xx."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microcredit.apps.exchange import forms as exchange_forms
from microcredit.apps.exchange.models import (
    ColumnTemplate,
    LedgerChange,
    LedgerImport,
    LedgerLoan,
    PublicEmployee,
    ReconciliationRun,
)
from microcredit.apps.jobs.models import Job
from microcredit.apps.jobs.runner import claim_next, run_job
from microcredit.apps.regions.models import Region
from microcredit.domain.identity import make_id_number
from tests.batch.portfolio import County
from tests.factories import make_bank, make_household, make_user

pytestmark = pytest.mark.django_db
HEADER = ["合同编号", "借款人姓名", "借款人身份证号", "贷款金额(元)", "贷款期限(月)", "放款日期", "执行年利率(%)",
          "累计还款(元)", "贷款余额(元)"]
DAY = "2026-03-15"
STRANGER = make_id_number("411224", dt.date(1985, 1, 1), 7, True)  # valid, not in the registry
MASKED_STRANGER = STRANGER[:6] + "********" + STRANGER[-4:]


def table(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode("utf-8-sig")


def upload(name: str, data: bytes, content_type: str = "text/csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def w(business_day):
    w = County()  # tree, bank NSH, its officer, county user, pboc, finance
    w.ycb = make_bank("YCB", "邮储银行卢氏支行")
    w.ycb_officer = make_user("bank_officer", [w.tree.county.prefix], bank=w.ycb)
    w.auditor = make_user("auditor", [w.tree.county.prefix])
    w.village_user = make_user("village_station", [w.tree.villages[0].prefix])
    w.township_user = make_user("township_station", [w.tree.townships[0].prefix])
    Region.objects.create(code="411221000000", name="渑池县", level="county", parent=w.tree.city)
    w.other_county = make_user("county_office", ["411221"])
    w.hh = [make_household(w.tree.villages[0], head_id_number=make_id_number("411224", dt.date(1985, 6, 1), 20 + n, True))
            for n in range(3)]
    w.ids = [h.head_id_number for h in w.hh]
    w.rows = [
        ["HT01", "甲", w.ids[0], "50000", "36", DAY, "2.9", "0", "50000"],
        ["HT02", "乙", w.ids[1], "50000", "36", DAY, "3.5", "0", "50000"],  # rate above the cap
        ["HT03", "丙", STRANGER, "30000", "36", DAY, "2.9", "0", "30000"],  # not in the registry
    ]
    return w


def run_jobs() -> list[Job]:
    done = []
    while (job := claim_next()) is not None:
        done.append(run_job(job))
    return done


def post_upload(client, user, data: bytes, name="台账.csv", **fields):
    client.force_login(user)
    body = {"file": upload(name, data), "as_of": fields.pop("as_of", ""), **fields}
    if "bank" not in body and user.bank_id:
        body["bank"] = str(user.bank_id)
    return client.post("/ledgers/", body)


def imported(client, user, data: bytes, **fields) -> LedgerImport:
    response = post_upload(client, user, data, **fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    [job] = run_jobs()
    assert job.status == "done", job.message
    return LedgerImport.objects.get(pk=job.result["import_id"])


# --- the bank officer ---------------------------------------------------------------------------------

def test_officer_upload_queues_a_job_and_the_status_and_report_show_counts_and_findings(client, w):
    response = post_upload(client, w.officer, table(w.rows))
    assert response.status_code == 302 and "?job=" in response["Location"]
    job = Job.objects.get()
    assert job.kind == "ledger_import" and job.status == "queued"
    waiting = client.get(f"/ledgers/imports/{job.pk}/status/")
    assert waiting.status_code == 200 and 'hx-trigger="every 1s"' in waiting.content.decode()
    page = client.get(response["Location"]).content.decode()
    assert f"导入任务 #{job.pk}" in page and "<progress" in page
    run_job(claim_next())
    status = client.get(f"/ledgers/imports/{job.pk}/status/").content.decode()
    assert "hx-trigger" not in status
    assert re.search(r"读取\s*3\s*行，新增\s*3", status) and "查看导入报告" in status
    i = LedgerImport.objects.get()
    assert i.bank == w.bank and i.counts["created"] == 3
    report = client.get(f"/ledgers/imports/{i.pk}/").content.decode()
    assert "3 / 0 / 0 / 0" in report
    assert "执行利率高于政策利率上限" in report and "借款人不在建档立卡系统中" in report
    assert STRANGER not in report and MASKED_STRANGER in report  # a bank officer has no core.see_identity
    client.force_login(w.county_user)
    assert STRANGER in client.get(f"/ledgers/imports/{i.pk}/").content.decode()
    client.force_login(w.pboc)
    assert STRANGER not in client.get(f"/ledgers/imports/{i.pk}/").content.decode()


def test_a_refused_file_lists_row_column_and_message_and_writes_nothing(client, w):
    rows = [list(r) for r in w.rows]
    rows[1][5] = "2026-13-01"
    rows[2][3] = "五万"
    response = post_upload(client, w.officer, table(rows))
    [job] = run_jobs()
    assert job.result["status"] == "refused" and job.result["error_count"] == 2
    status = client.get(f"/ledgers/imports/{job.pk}/status/").content.decode()
    assert "发现 2 处错误，未导入任何数据" in status
    assert "第3行 放款日期" in status and "第4行 贷款金额(元)" in status
    report = client.get(f"/ledgers/imports/{job.result['import_id']}/").content.decode()
    assert "文件有错误，未导入任何数据" in report and "2026-13-01" in report and "五万" in report
    assert not LedgerLoan.objects.exists()
    assert response.status_code == 302


def test_the_loan_page_shows_the_change_history_after_a_corrected_file(client, w):
    imported(client, w.officer, table(w.rows))
    corrected = [list(r) for r in w.rows]
    corrected[0][7], corrected[0][8] = "10000", "40000"
    second = imported(client, w.officer, table(corrected), name="台账-更正.csv")
    assert second.counts["updated"] == 1 and LedgerChange.objects.count() == 1
    loan = LedgerLoan.objects.get(contract_number="HT01")
    page = client.get(f"/ledgers/loans/{loan.pk}/").content.decode()
    assert "变更记录" in page and "台账-更正.csv" in page
    assert "贷款余额(元)：50000.00 → 40000.00" in page or "贷款余额(元)：5000000 → 4000000" in page, page
    report = client.get(f"/ledgers/imports/{second.pk}/").content.decode()
    assert "本次更新的内容" in report and "HT01" in report
    listing = client.get("/ledgers/loans/?q=HT01").content.decode()
    assert f"/ledgers/loans/{loan.pk}/" in listing


def test_the_template_is_saved_and_the_next_import_uses_it(client, w):
    client.force_login(w.officer)
    response = client.post("/ledgers/template/", {"borrower_id": "客户证件号", "contract_number": "借据编号"})
    assert response.status_code == 302
    assert ColumnTemplate.objects.get(bank=w.bank).mapping == {"borrower_id": "客户证件号", "contract_number": "借据编号"}
    assert "客户证件号" in client.get("/ledgers/template/").content.decode()
    header = ["借据编号", "借款人姓名", "客户证件号", *HEADER[3:]]
    i = imported(client, w.officer, table(w.rows, header=header))
    assert i.status == "imported" and i.counts["created"] == 3 and not i.ignored_columns
    assert LedgerLoan.objects.get(contract_number="HT01").borrower_id == w.ids[0]


# --- one bank cannot see another's ------------------------------------------------------------------

def test_a_bank_officer_sees_and_imports_only_for_its_own_bank(client, w):
    i = imported(client, w.officer, table(w.rows))
    loan = LedgerLoan.objects.get(contract_number="HT01")
    client.force_login(w.ycb_officer)
    assert client.get(f"/ledgers/imports/{i.pk}/").status_code == 404
    assert client.get(f"/ledgers/loans/{loan.pk}/").status_code == 404
    assert "HT01" not in client.get("/ledgers/loans/").content.decode()
    assert "台账.csv" not in client.get("/ledgers/").content.decode()
    run = ReconciliationRun.objects.get()
    assert client.get(f"/ledgers/reconcile/{run.pk}/").status_code == 404
    job = Job.objects.get()
    assert client.get(f"/ledgers/imports/{job.pk}/status/").status_code == 404
    # importing for another bank: only its own bank is offered
    response = post_upload(client, w.ycb_officer, table(w.rows), bank=str(w.bank.pk))
    assert response.status_code == 400 and "选择一个有效的选项" in response.content.decode()
    # a bank officer's template page is its own bank's, whatever ?bank= says
    client.post(f"/ledgers/template/?bank={w.bank.pk}", {"borrower_id": "证件号码"})
    assert not ColumnTemplate.objects.filter(bank=w.bank).exists()
    assert ColumnTemplate.objects.get(bank=w.ycb).mapping == {"borrower_id": "证件号码"}
    assert Job.objects.count() == 1


# --- the county ------------------------------------------------------------------------------------

def test_the_county_imports_for_any_bank_and_by_the_bank_column(client, w):
    i = imported(client, w.county_user, table(w.rows), bank=str(w.ycb.pk))
    assert i.bank == w.ycb and i.counts["created"] == 3
    rows = [[*r[:1], *r[1:], bank] for r, bank in zip(
        [["HT11", *w.rows[0][1:]], ["HT12", *w.rows[1][1:]]], ["NSH", "邮储银行卢氏支行"], strict=True)]
    mixed = imported(client, w.county_user, table(rows, header=[*HEADER, "贷款银行"]), bank="")
    assert mixed.bank is None and mixed.status == "imported"
    assert {(x.contract_number, x.bank.code) for x in LedgerLoan.objects.filter(last_import=mixed)} == {
        ("HT11", "NSH"), ("HT12", "YCB")}
    page = client.get("/ledgers/").content.decode()
    assert "多家银行" in page and "邮储银行" in page


def test_the_county_runs_reconciliation_and_the_run_page_lists_counts_by_check(client, w):
    imported(client, w.officer, table(w.rows))
    client.force_login(w.county_user)
    response = client.post("/ledgers/reconcile/", {"bank": str(w.bank.pk)})
    assert response.status_code == 302
    [job] = run_jobs()
    assert job.kind == "ledger_reconcile" and job.status == "done", job.message
    run_id = job.result["run_id"]
    page = client.get(f"/ledgers/reconcile/{run_id}/").content.decode()
    assert re.search(r"执行利率高于政策利率上限</td><td>1<", page)
    assert re.search(r"借款人不在建档立卡系统中</td><td>1<", page)
    assert re.search(r"余额不符</td><td>0<", page)
    assert "发现问题 2 个" in page and STRANGER in page and "卢氏农商银行" in page
    listing = client.get("/ledgers/reconcile/").content.decode()
    assert "手动核查" in listing and f"/ledgers/reconcile/{run_id}/" in listing
    whole = client.post("/ledgers/reconcile/", {"bank": ""})
    assert whole.status_code == 302 and run_jobs()[0].result["rows"] == 3


def test_the_county_uploads_the_register_and_edits_a_banks_template(client, w):
    client.force_login(w.county_user)
    register = table([["张三", w.ids[0], "卢氏县财政局"]], header=["姓名", "身份证号", "工作单位"])
    response = client.post("/ledgers/officials/", {"file": upload("名册.csv", register), "replace": "on"})
    assert response.status_code == 302 and PublicEmployee.objects.get().id_number == w.ids[0]
    assert "名册现有 1 人" in client.get("/ledgers/officials/").content.decode()
    bad = table([["张三", "12345", "某局"]], header=["姓名", "身份证号", "工作单位"])
    refused = client.post("/ledgers/officials/", {"file": upload("名册.csv", bad), "replace": "on"})
    assert refused.status_code == 200 and "第2行" in refused.content.decode() and PublicEmployee.objects.count() == 1
    response = client.post(f"/ledgers/template/?bank={w.ycb.pk}", {"borrower_id": "客户证件号"})
    assert response.status_code == 302 and ColumnTemplate.objects.get(bank=w.ycb).mapping == {"borrower_id": "客户证件号"}
    i = imported(client, w.officer, table(w.rows))
    assert "公职人员违规获得小额信贷" in client.get(f"/ledgers/imports/{i.pk}/").content.decode()


# --- read-only and no-access roles -------------------------------------------------------------------

READ_PAGES = ["/ledgers/", "/ledgers/loans/", "/ledgers/reconcile/"]


@pytest.mark.parametrize("who", ["pboc", "finance", "auditor"])
def test_readers_read_and_get_403_on_every_post(client, w, who):
    i = imported(client, w.officer, table(w.rows))
    user = getattr(w, who)
    client.force_login(user)
    for url in [*READ_PAGES, f"/ledgers/imports/{i.pk}/"]:
        assert client.get(url).status_code == 200, url
    page = client.get("/ledgers/").content.decode()
    assert "上传并导入" not in page
    posts = {"/ledgers/": {"file": upload("台账.csv", table(w.rows)), "bank": str(w.bank.pk)},
             "/ledgers/reconcile/": {"bank": ""}, f"/ledgers/template/?bank={w.bank.pk}": {"borrower_id": "x"},
             "/ledgers/officials/": {"file": upload("名册.csv", b"x")}}
    for url, body in posts.items():
        assert client.post(url, body).status_code == 403, url
    assert Job.objects.count() == 1 and not ColumnTemplate.objects.exists()


@pytest.mark.parametrize("who", ["village_user", "township_user"])
def test_village_and_township_users_have_no_access(client, w, who):
    i = imported(client, w.officer, table(w.rows))
    loan = LedgerLoan.objects.first()
    client.force_login(getattr(w, who))
    for url in [*READ_PAGES, f"/ledgers/imports/{i.pk}/", f"/ledgers/loans/{loan.pk}/", "/ledgers/template/",
                "/ledgers/officials/"]:
        assert client.get(url).status_code == 403, url
    assert client.post("/ledgers/", {"file": upload("台账.csv", table(w.rows))}).status_code == 403


def test_another_countys_user_sees_nothing_of_this_county(client, w):
    i = imported(client, w.officer, table(w.rows))
    loan = LedgerLoan.objects.get(contract_number="HT01")
    run = ReconciliationRun.objects.get()
    client.force_login(w.other_county)
    assert client.get(f"/ledgers/imports/{i.pk}/").status_code == 404
    assert client.get(f"/ledgers/loans/{loan.pk}/").status_code == 404
    assert client.get(f"/ledgers/reconcile/{run.pk}/").status_code == 404
    assert "HT01" not in client.get("/ledgers/loans/").content.decode()
    assert "台账.csv" not in client.get("/ledgers/").content.decode()


# --- hostile input -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("fields", "message"), [
    ({"as_of": "2026-12-31"}, "数据日期不能晚于业务日期"),
    ({"as_of": "2026/13/45"}, "日期"),
    ({"as_of": "明天"}, "日期"),
    ({"as_of": "2026-11-01\x00"}, "日期"),
    ({"bank": "999999"}, "选择一个有效的选项"),
    ({"bank": "NSH"}, "选择一个有效的选项"),
    ({"bank": "x" * 5000}, "选择一个有效的选项"),
])
def test_hostile_upload_fields_are_refused_in_chinese(client, w, fields, message):
    response = post_upload(client, w.county_user, table(w.rows), **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("台账.exe", b"MZ\x90\x00" + b"\x00" * 100, "未接受"),
    ("台账.xlsx", b"not a zip file at all, just text", "未接受"),
    ("台账.csv", b"", "未接受"),
])
def test_wrong_files_are_refused_in_chinese(client, w, name, data, message):
    client.force_login(w.officer)
    response = client.post("/ledgers/", {"file": upload(name, data), "bank": str(w.bank.pk)})
    assert response.status_code == 400, response.status_code
    assert message in response.content.decode() or "空文件" in response.content.decode()
    assert not Job.objects.exists()


def test_a_file_too_large_is_refused_before_it_is_stored(client, w, monkeypatch):
    field = exchange_forms.LedgerUploadForm.base_fields["file"]
    monkeypatch.setattr(field, "limits", dataclasses.replace(field.limits, max_bytes=1000))
    client.force_login(w.officer)
    response = client.post("/ledgers/", {"file": upload("台账.csv", table(w.rows * 20)), "bank": str(w.bank.pk)})
    assert response.status_code == 400 and "未接受" in response.content.decode()
    assert not Job.objects.exists()


def test_a_garbage_file_named_csv_is_refused_by_the_job_not_a_500(client, w):
    i = imported(client, w.officer, b"\xff\xfe\x00garbage\x00\x01\x02" * 50)
    assert i.status == "refused" and i.errors and not LedgerLoan.objects.exists()


@pytest.mark.parametrize("url", [
    "/ledgers/?page=abc", "/ledgers/?job=abc", "/ledgers/?job=-1", "/ledgers/?job=99999999999999999999999",
    "/ledgers/loans/?page=%00", "/ledgers/loans/?q=" + "x" * 500, "/ledgers/loans/?q=a%00b",
    "/ledgers/loans/?bank=" + "x" * 500, "/ledgers/reconcile/?page=1e9", "/ledgers/template/?bank=abc",
    "/ledgers/template/?bank=99999999999999999999999",
])
def test_hostile_parameters_are_4xx_in_chinese(client, w, url):
    client.force_login(w.county_user)
    response = client.get(url)
    assert response.status_code == 400 and "输入有误" in response.content.decode(), (url, response.status_code)
    assert re.search(r"不能超过|不能包含空字符|之间的整数", response.content.decode())


def test_an_unknown_bank_code_in_the_filter_lists_nothing(client, w):
    imported(client, w.officer, table(w.rows))
    client.force_login(w.county_user)
    response = client.get("/ledgers/loans/?bank=ZZZ")
    assert response.status_code == 200 and "HT01" not in response.content.decode() and "暂无" in response.content.decode()


@pytest.mark.parametrize("url", [
    "/ledgers/imports/99999999/", "/ledgers/imports/99999999999999999999999/", "/ledgers/loans/99999999/",
    "/ledgers/loans/99999999999999999999999/", "/ledgers/reconcile/99999999/",
    "/ledgers/reconcile/99999999999999999999999/", "/ledgers/imports/99999999999999999999999/status/",
])
def test_unknown_and_overflowing_ids_are_404(client, w, url):
    client.force_login(w.county_user)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(("field", "value", "message"), [
    ("borrower_id", "x" * 61, "60"),
    ("borrower_id", "客户\x00证件号", "空"),
    ("contract_number", "身份证号", "已用于"),
])
def test_hostile_template_values_are_refused_in_chinese(client, w, field, value, message):
    client.force_login(w.officer)
    body = {field: value, **({"borrower_id": "身份证号"} if field == "contract_number" else {})}
    response = client.post("/ledgers/template/", body)
    assert response.status_code == 200 and message in response.content.decode(), response.content.decode()[-3000:]
    assert not ColumnTemplate.objects.exists()


def test_hostile_officials_files_are_refused_in_chinese(client, w):
    client.force_login(w.county_user)
    for name, data in (("名册.exe", b"MZ" * 10), ("名册.csv", b"\x00\x01\x02" * 10),
                       ("名册.csv", table([["甲"]], header=["姓名"]))):
        response = client.post("/ledgers/officials/", {"file": upload(name, data)})
        assert response.status_code == 200 and re.search(r"未接受|未找到表头|损坏", response.content.decode()), name
    assert not PublicEmployee.objects.exists()
