"""Reports as definitions, produced as jobs (issue #12 §9): every built-in definition runs on a small
portfolio and its Excel opens with the right headers and totals; the 管理月报表's totals equal the
indicators API for the same region and date; definitions are validated with Chinese errors naming the
field; a township user's report holds only its township; hostile parameters are refused, never a 500."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.funds.ledger import entry_post
from microcredit.apps.funds.models import FundAccount
from microcredit.apps.jobs.models import Job, JobStatus
from microcredit.apps.jobs.runner import claim_next, run_job
from microcredit.apps.monitoring.close import run_close
from microcredit.apps.reports.builtins import BUILTINS
from microcredit.apps.reports.models import ReportDefinition
from microcredit.domain.reports import fen_to_wan
from tests.batch.portfolio import County
from tests.factories import make_user

pytestmark = pytest.mark.django_db
MONTH_END = dt.date(2026, 5, 31)
COUNTY = "411224000000"


@pytest.fixture
def county():
    with pinned_business_date(MONTH_END):
        c = County()
        c.bad = c.loan(village=0, method="bullet", months=12, disbursed=dt.date(2025, 1, 10), principal=100000)
        c.may = [c.loan(village=v, months=36, disbursed=dt.date(2026, 5, 6), principal=3000000 + v * 100)
                 for v in (0, 1, 2, 3)]
        c.soon = c.loan(village=2, method="bullet", months=12, disbursed=dt.date(2025, 7, 1), principal=2000000)
        account = FundAccount.objects.create(county_code="411224", bank=c.bank, name="卢氏县风险补偿金专户",
                                             opened_on=dt.date(2026, 1, 1))
        entry_post(account=account, kind="deposit", on=dt.date(2026, 5, 10),
                   lines=[("fund_cash", 100000000), ("county_contribution", -100000000)], actor=c.county_user)
        run_close(MONTH_END)
        yield c


def _sheet(data: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def _run(client, user, code: str, **params) -> tuple[Job, list[list]]:
    client.force_login(user)
    response = client.post(f"/api/v1/reports/{code}/runs", json.dumps({"params": params}), content_type="application/json")
    assert response.status_code == 202, response.content.decode()
    job = run_job(claim_next())
    assert job.status == JobStatus.DONE, job.message
    download = client.get(f"/api/v1/jobs/{job.pk}/download")
    assert download.status_code == 200
    return job, _sheet(b"".join(download.streaming_content))


def _total(sheet) -> list:
    return next(row for row in sheet if "合计" in row)


def test_every_builtin_runs_and_its_excel_has_the_headers_and_totals(client, county):
    assert set(ReportDefinition.objects.filter(builtin=True).values_list("code", flat=True)) == set(BUILTINS)
    params = {"region": COUNTY, "month": "2026-05", "quarter": "2026-Q2", "as_of": "2026-05-31", "months": "3"}
    with pinned_business_date(MONTH_END):
        for code, (name, spec) in BUILTINS.items():
            wanted = {k: v for k, v in params.items() if k in spec["params"]}
            job, sheet = _run(client, county.county_user, code, **wanted)
            assert sheet[0][0] == spec["title"], code
            assert "单位：元" in sheet[1][0]
            headers = (["序号"] if spec.get("numbered") else []) + [c["header"] for c in spec["columns"]]
            assert sheet[2] == headers, code
            assert _total(sheet)
            assert any("制表日期：2026-05-31" in str(row[0]) for row in sheet)
            assert job.result["filename"].startswith(spec["title"])
        _job, detail = _run(client, county.county_user, "disbursement_detail", region=COUNTY, month="2026-05")
        col = detail[2].index("贷款金额")
        assert _total(detail)[col] == sum(l.principal for l in county.may) / 100  # 120,006.00 yuan
        assert len([r for r in detail[3:] if isinstance(r[0], float) and r[0] >= 1]) == 4
        _job, overdue = _run(client, county.county_user, "overdue_list", region=COUNTY)
        assert any(county.bad.number in r for r in overdue) and not any(county.may[0].number in r for r in overdue)
        _job, soon = _run(client, county.county_user, "maturity_list", region=COUNTY, as_of="2026-05-31", months="2")
        assert any(county.soon.number in r for r in soon) and not any(county.may[0].number in r for r in soon)
        _job, fund = _run(client, county.county_user, "risk_fund_ledger", month="2026-05")
        cols = fund[2]
        assert _total(fund)[cols.index("本期存入")] == 1000000.0 and _total(fund)[cols.index("期末余额")] == 1000000.0
        assert _total(fund)[cols.index("可放贷额度")] == 10000000.0


def test_monthly_report_totals_equal_the_indicators_api(client, county):
    with pinned_business_date(MONTH_END):
        _job, sheet = _run(client, county.county_user, "management_monthly", region=COUNTY, month="2026-05")
        client.force_login(county.county_user)
        api = client.get(f"/api/v1/monitoring/indicators?region={COUNTY}&as_of=2026-05-31").json()
    headers, total = sheet[2], _total(sheet)
    money = {"贷款余额": "balance", "逾期金额": "overdue_balance", "不良金额": "npl_balance",
             "累计放款金额": "cumulative_amount", "本月到期金额": "due_in_period", "本月到期已还金额": "repaid_on_time_in_period"}
    counts = {"建档立卡户数": "households_eligible", "累计放款户次": "cumulative_loans", "余额户数": "households_outstanding",
              "累计获贷户数": "households_borrowed_ever"}
    ratios = {"逾期率": "overdue_ratio", "不良率": "npl_ratio", "获贷率": "access_rate", "到期还款率": "on_time_rate"}
    for header, key in money.items():
        assert Decimal(str(total[headers.index(header)])).quantize(Decimal("0.01")) == Decimal(api[key]), header
    for header, key in counts.items():
        assert total[headers.index(header)] == api[key], header
    for header, key in ratios.items():
        cell = total[headers.index(header)]
        assert (cell in ("", None) and api[key] is None) or Decimal(str(cell)).quantize(Decimal("0.0001")) == Decimal(api[key]), header
    assert Decimal(api["balance"]) > 0 and Decimal(api["npl_balance"]) > 0
    township_rows = {row[0]: row for row in sheet[3:] if row[0] in ("城关镇", "东明镇")}
    assert len(api["children"]) == len(township_rows) == 2
    for child, row in zip(api["children"], township_rows.values()):
        assert Decimal(str(row[headers.index("贷款余额")])).quantize(Decimal("0.01")) == Decimal(child["balance"])
        assert row[headers.index("累计放款户次")] == child["cumulative_loans"]
    assert total[headers.index("本月放款金额")] == sum(l.principal for l in county.may) / 100


def test_a_township_users_report_holds_only_its_township(client, county):
    township = county.tree.townships[0]
    clerk = make_user("township_station", scope_regions=[township.code[:9]])
    with pinned_business_date(MONTH_END):
        _job, sheet = _run(client, clerk, "disbursement_detail", month="2026-05")
        names = {row[1] for row in sheet[3:] if isinstance(row[0], float)}
        assert names == {"城关镇"}
        client.force_login(clerk)
        refused = client.post("/api/v1/reports/disbursement_detail/runs",
                              json.dumps({"params": {"region": COUNTY, "month": "2026-05"}}), content_type="application/json")
        assert refused.status_code == 422 and "管辖范围" in refused.json()["detail"]
        page = client.get(reverse("reports:print", args=["disbursement_detail"]), {"month": "2026-05"})
        assert page.status_code == 200 and "城关镇" in page.content.decode() and "东明镇" not in page.content.decode()
        other = county.tree.townships[1]
        job = Job.objects.filter(kind="report").latest("pk")
        client.force_login(make_user("township_station", scope_regions=[other.code[:9]]))
        assert client.get(f"/api/v1/jobs/{job.pk}/download").status_code == 404
        client.force_login(make_user("household", scope_regions=[township.code[:9]]))
        assert client.get("/api/v1/reports").status_code == 403
        assert client.get(reverse("reports:list")).status_code == 403


@pytest.mark.parametrize("params", [
    {"region": "x" * 500}, {"region": "999999999999"}, {"month": "2026-13"}, {"month": "'; drop table"},
    {"quarter": "2026-Q9", "region": COUNTY}, {"as_of": "2026-02-30"}, {"months": "99"}, {"months": "-1"},
    {"bank": "NOPE"}, {"month": "9999-01"},
])
def test_hostile_params_are_refused_with_chinese_errors(client, county, params):
    client.force_login(county.county_user)
    code = "maturity_list" if {"as_of", "months"} & set(params) else (
        "subsidy_quarterly" if "quarter" in params else "disbursement_detail")
    with pinned_business_date(MONTH_END):
        response = client.post(f"/api/v1/reports/{code}/runs", json.dumps({"params": params}),
                               content_type="application/json")
        assert response.status_code == 422, (params, response.content)
        text = json.dumps(response.json(), ensure_ascii=False)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text
        page = client.post(reverse("reports:run", args=[code]), params)
        assert page.status_code == 422
        printed = client.get(reverse("reports:print", args=[code]), params)
        assert printed.status_code == 422
    assert not Job.objects.filter(kind="report").exists()
    assert client.post("/api/v1/reports/nope/runs", json.dumps({"params": {}}), content_type="application/json").status_code == 404
    assert client.get(reverse("reports:print", args=["nope"])).status_code == 404


def test_definitions_are_edited_on_a_page_and_validated(client, county):
    client.force_login(county.county_user)
    listing = client.get("/api/v1/reports").json()
    assert {d["code"] for d in listing} == set(BUILTINS)
    spec = {"title": "村级余额表", "dataset": "overdue_loans", "params": ["region"], "unit": "万元", "group_by": "village",
            "columns": [{"field": "village", "header": "村"}, {"field": "balance", "header": "余额", "format": "money"},
                        {"field": "ghost", "header": "鬼"}]}
    bad = client.post(reverse("reports:new"), {"code": "village_balance", "name": "村级余额表", "active": "on",
                                               "spec": json.dumps(spec, ensure_ascii=False)})
    assert bad.status_code == 422 and "第 3 列：数据集中没有字段“ghost”" in bad.content.decode()
    assert "列：" in bad.content.decode()
    spec["dataset"] = "nothing"
    worse = client.post(reverse("reports:new"), {"code": "village_balance", "name": "x", "spec": json.dumps(spec)})
    assert "数据集：未知的数据集" in worse.content.decode()
    assert "不是有效的 JSON" in client.post(reverse("reports:new"), {"code": "a1", "name": "x", "spec": "{"}).content.decode()
    assert client.post(reverse("reports:new"), {"code": "a1", "name": "x", "spec": "x" * 30000}).status_code == 422
    spec["dataset"] = "overdue_loans"
    spec["columns"].pop()
    ok = client.post(reverse("reports:new"), {"code": "village_balance", "name": "村级余额表", "active": "on",
                                              "spec": json.dumps(spec, ensure_ascii=False)})
    assert ok.status_code == 302
    with pinned_business_date(MONTH_END):
        _job, sheet = _run(client, county.county_user, "village_balance", region=COUNTY)
    assert "单位：万元" in sheet[1][0]
    county.bad.refresh_from_db()
    assert _total(sheet)[1] == float(fen_to_wan(county.bad.principal_outstanding))  # the one overdue loan, in 万元
    clerk = make_user("township_station", scope_regions=["411224100"])
    client.force_login(clerk)
    assert client.get(reverse("reports:edit", args=["village_balance"])).status_code == 403
    assert client.post(reverse("reports:new"), {"code": "zz", "name": "x", "spec": "{}"}).status_code == 403


def test_the_page_runs_a_report_as_a_job_and_the_notice_prints_without_id_numbers(client, county):
    client.force_login(county.county_user)
    with pinned_business_date(MONTH_END):
        page = client.get(reverse("reports:list"))
        assert page.status_code == 200
        assert all(name in page.content.decode() for name, _spec in BUILTINS.values())
        response = client.post(reverse("reports:run", args=["overdue_list"]), {"region": COUNTY, "bank": county.bank.code})
        job = Job.objects.get(kind="report")
        assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
        run_job(claim_next())
        detail = client.get(reverse("jobs:detail", args=[job.pk]))
        assert reverse("jobs:download", args=[job.pk]) in detail.content.decode()
        assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 200
        notice = client.get(reverse("reports:print", args=["public_notice"]), {"region": COUNTY, "month": "2026-05"})
    text = notice.content.decode()
    assert notice.status_code == 200 and "村委会（盖章）" in text and "合计" in text
    assert county.may[0].borrower.name in text and county.may[0].borrower.id_number not in text
    assert "30,000.00" in text  # money in yuan, from fen
