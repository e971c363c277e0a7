"""The 台账 export (issue #13 §4): the DOMAIN §10 headers exactly; figures as of a past day equal
domain.servicing.loan_state on the events up to that day; scope (another county refused, a bank officer
only its bank's loans); ID numbers masked for a reader who may not see identities; CSV in UTF-8 with a
BOM; hostile parameters refused with Chinese 4xx, never a 500; page → job → download."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.jobs.models import Job, JobStatus
from microcredit.apps.jobs.runner import claim_next, run_job
from microcredit.apps.loans.selectors import loan_current_state
from microcredit.apps.loans.servicing import repayment_post
from microcredit.apps.rating import selectors as rsel
from microcredit.apps.rating.models import Rating, RatingStatus
from microcredit.apps.regions.models import Region
from microcredit.apps.reports.ledger_export import LEDGER_EXPORT_COLUMNS
from microcredit.domain.money import fen_to_yuan
from tests.batch.portfolio import County
from tests.factories import make_bank, make_household, make_user

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 30)
PAST = dt.date(2026, 1, 5)
COUNTY = "411224000000"

EXPECTED_HEADERS = [
    "乡镇", "行政村", "村民小组", "户主姓名", "户主身份证号", "借款人姓名", "借款人身份证号", "与户主关系", "户类型",
    "信用等级", "授信额度(元)", "授信银行", "授信日期", "合同编号", "贷款金额(元)", "贷款期限(月)", "放款日期", "到期日期",
    "执行年利率(%)", "贷款银行", "累计贴息(元)", "累计还款(元)", "最近还款日期", "贷款余额(元)", "逾期金额(元)",
    "逾期起始日期", "欠息(元)", "欠息起始日期", "产业", "使用方式", "放款账户",
]
COL = {h: i for i, h in enumerate(EXPECTED_HEADERS)}


@pytest.fixture
def county():
    with pinned_business_date(TODAY):
        c = County()
        c.other_bank = make_bank("ICBC", "工商银行卢氏支行")
        c.other_officer = make_user("bank_officer", scope_regions=[c.tree.county.prefix], bank=c.other_bank)
        # quarterly loan: interest paid on time for two quarters, then nothing (overdue interest by PAST)
        c.paid = c.loan(village=0, disbursed=dt.date(2025, 3, 15), months=36, principal=5000000)
        for on, amount in ((dt.date(2025, 3, 21), 3625), (dt.date(2025, 6, 21), 55583), (dt.date(2025, 12, 1), 20000)):
            repayment_post(loan=c.paid, amount=amount, on=on, actor=c.officer)
        repayment_post(loan=c.paid, amount=300000, on=dt.date(2026, 3, 1), actor=c.officer)  # after PAST: not counted
        # bullet loan due before PAST, never repaid (overdue principal and interest)
        c.bad = c.loan(village=1, method="bullet", months=6, disbursed=dt.date(2025, 3, 1), principal=2000000)
        # amortising loan with some instalments paid
        c.amort = c.loan(village=2, method="equal_installment", months=24, disbursed=dt.date(2025, 2, 10),
                         principal=2400000)
        for k in range(5):
            repayment_post(loan=c.amort, amount=106000, on=dt.date(2025, 3 + k, 10), actor=c.officer)
        # disbursed after PAST: not on the ledger of PAST
        c.late = c.loan(village=3, disbursed=dt.date(2026, 2, 1), principal=1000000)
        # settled before PAST: not on the ledger of PAST
        c.settled = c.loan(village=3, method="bullet", months=3, disbursed=dt.date(2025, 1, 10), principal=100000)
        repayment_post(loan=c.settled, amount=200000, on=dt.date(2025, 4, 10), actor=c.officer)
        # the other bank's loan, in the same county
        hh = make_household(c.tree.villages[0], group_name="=HYPERLINK(\"x\")")
        from microcredit.apps.loans.services import loan_open
        c.icbc = loan_open(household=hh, borrower=hh.members.first(), bank=c.other_bank, principal=3000000,
                           annual_rate=Decimal("4.35"), cap_rate=Decimal("4.75"), disbursed_on=dt.date(2025, 6, 1),
                           term_months=24, method="interest_quarterly", policy_era="2021", actor=c.other_officer,
                           account_number="6217000010001234569")
        Rating.objects.create(household=c.paid.household, region_code=c.paid.region_code,
                              scorecard=rsel.scorecard_for("411224", "x"), grade="AAA", credit_limit=5_000_000,
                              status=RatingStatus.EFFECTIVE, valid_from=dt.date(2025, 1, 2),
                              valid_until=dt.date(2027, 1, 1))
        # another county with its own user
        other = Region.objects.create(code="411221000000", name="渑池县", level="county", parent=c.tree.city)
        c.other_county_user = make_user("county_office", scope_regions=["411221"])
        c.other_county = other
        yield c


def _start(client, user, **params):
    client.force_login(user)
    return client.post("/api/v1/ledger-export", json.dumps(params), content_type="application/json")


def _export(client, user, **params) -> tuple[Job, bytes]:
    with pinned_business_date(TODAY):
        response = _start(client, user, **params)
        assert response.status_code == 202, response.content.decode()
        job = run_job(claim_next())
        assert job.status == JobStatus.DONE, job.message
        download = client.get(f"/api/v1/jobs/{job.pk}/download")
        assert download.status_code == 200
        return job, b"".join(download.streaming_content)


def _xlsx(data: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _by_number(rows) -> dict[str, list]:
    return {r[COL["合同编号"]]: r for r in rows[1:]}


def test_headers_are_exactly_the_domain_list_in_both_formats(client, county):
    assert list(LEDGER_EXPORT_COLUMNS) == EXPECTED_HEADERS
    _job, data = _export(client, county.county_user, region=COUNTY, as_of=PAST.isoformat(), format="xlsx")
    assert _xlsx(data)[0] == EXPECTED_HEADERS
    job, data = _export(client, county.county_user, region=COUNTY, as_of=PAST.isoformat(), format="csv")
    assert _csv(data)[0] == EXPECTED_HEADERS
    assert job.result["filename"].endswith(".csv")


def test_figures_as_of_a_past_day_equal_loan_state(client, county):
    _job, data = _export(client, county.county_user, region=COUNTY, as_of=PAST.isoformat(), format="csv")
    rows = _by_number(_csv(data))
    assert set(rows) == {county.paid.number, county.bad.number, county.amort.number, county.icbc.number}
    for loan in (county.paid, county.bad, county.amort, county.icbc):
        state = loan_current_state(loan, PAST)
        row = rows[loan.number]
        assert row[COL["贷款余额(元)"]] == fen_to_yuan(state.principal_outstanding)
        assert row[COL["累计还款(元)"]] == fen_to_yuan(state.principal_paid)
        assert row[COL["逾期金额(元)"]] == fen_to_yuan(state.overdue_principal)
        assert row[COL["欠息(元)"]] == fen_to_yuan(state.overdue_interest)
        assert Decimal(row[COL["贷款金额(元)"]]) - Decimal(row[COL["累计还款(元)"]]) == Decimal(row[COL["贷款余额(元)"]])
        overdue = [i for i in state.installments if i.due_date < PAST and i.principal_unpaid > 0]
        assert row[COL["逾期起始日期"]] == (overdue[0].due_date.isoformat() if overdue else "")
    paid = rows[county.paid.number]
    assert paid[COL["最近还款日期"]] == "2025-12-01"  # the payment of 2026-03-01 is after PAST
    assert paid[COL["欠息(元)"]] != "0.00" and paid[COL["欠息起始日期"]] == "2025-09-21"
    assert Decimal(paid[COL["累计贴息(元)"]]) > 0  # the two quarters paid on time earn subsidy
    bad = rows[county.bad.number]
    assert bad[COL["逾期金额(元)"]] == "20000.00" and bad[COL["逾期起始日期"]] == "2025-09-01"
    assert bad[COL["累计贴息(元)"]] == "0.00" and bad[COL["最近还款日期"]] == ""
    assert paid[COL["信用等级"]] == "AAA" and paid[COL["授信额度(元)"]] == "50000.00"
    assert paid[COL["授信日期"]] == "2025-01-02" and paid[COL["执行年利率(%)"]] == "4.35"
    assert paid[COL["与户主关系"]] == "户主" and paid[COL["贷款期限(月)"]] == "36"
    assert paid[COL["乡镇"]] == "城关镇" and paid[COL["行政村"]] == "东关村"
    assert rows[county.icbc.number][COL["村民小组"]].startswith("'=")  # a formula stays text in Excel


def test_today_includes_later_loans_and_xlsx_money_is_exact(client, county):
    _job, data = _export(client, county.county_user, region=COUNTY, format="xlsx")
    rows = _by_number(_xlsx(data))
    assert county.late.number in rows and county.settled.number not in rows
    state = loan_current_state(county.paid, TODAY)
    assert Decimal(str(rows[county.paid.number][COL["贷款余额(元)"]])) == Decimal(fen_to_yuan(state.principal_outstanding))


def test_bank_officer_sees_only_its_bank_and_masked_ids(client, county):
    _job, data = _export(client, county.other_officer, as_of=PAST.isoformat(), format="csv")
    rows = _by_number(_csv(data))
    assert list(rows) == [county.icbc.number]
    row = rows[county.icbc.number]
    assert "*" in row[COL["借款人身份证号"]] and "*" in row[COL["户主身份证号"]] and "*" in row[COL["放款账户"]]
    with pinned_business_date(TODAY):
        refused = _start(client, county.other_officer, bank="NSH")
    assert refused.status_code == 422 and "本行" in refused.json()["detail"]


def test_identities_shown_to_the_county_office(client, county):
    _job, data = _export(client, county.county_user, region=COUNTY, as_of=PAST.isoformat(), format="csv")
    row = _by_number(_csv(data))[county.icbc.number]
    assert row[COL["借款人身份证号"]] == county.icbc.borrower.id_number
    assert row[COL["放款账户"]] == "6217000010001234569"


def test_a_township_region_narrows_and_another_county_is_refused(client, county):
    _job, data = _export(client, county.county_user, region="411224101000", as_of=PAST.isoformat(), format="csv")
    assert set(_by_number(_csv(data))) == {county.amort.number}
    with pinned_business_date(TODAY):
        refused = _start(client, county.county_user, region="411221000000")
        assert refused.status_code == 422 and "管辖范围" in refused.json()["detail"]
        job, data = None, None
    _job, data = _export(client, county.other_county_user, region="411221000000", format="csv")
    assert _csv(data)[1:] == []  # nothing of 卢氏县 in 渑池县's ledger


@pytest.mark.parametrize("params, word", [
    ({"as_of": "2026-13-45"}, "日期格式"),
    ({"as_of": "2099-01-01"}, "不能晚于"),
    ({"as_of": "x" * 41}, None),
    ({"format": "pdf"}, "xlsx 或 csv"),
    ({"format": "../../etc"}, "xlsx 或 csv"),
    ({"region": "41122410100"}, "12 位"),
    ({"region": "999999999999"}, "管辖范围"),
    ({"region": "4112\x0024000000"}, None),
    ({"bank": "NOPE"}, "没有这个银行"),
])
def test_hostile_params_are_refused_in_chinese_never_500(client, county, params, word):
    with pinned_business_date(TODAY):
        response = _start(client, county.county_user, **params)
    assert response.status_code == 422, response.content.decode()
    if word:
        assert word in response.json()["detail"]
    assert not Job.objects.exists()


def test_a_user_without_the_permission_is_refused(client, county):
    with pinned_business_date(TODAY):
        assert _start(client, make_user("insurer", scope_regions=["411224"]), format="csv").status_code == 403
        client.force_login(make_user("insurer", scope_regions=["411224"]))
        assert client.get("/reports/ledger-export/").status_code == 403


def test_the_page_queues_the_job_and_shows_errors(client, county):
    client.force_login(county.county_user)
    with pinned_business_date(TODAY):
        page = client.get("/reports/ledger-export/")
        assert page.status_code == 200 and "贷款台账导出" in page.content.decode()
        bad = client.post("/reports/ledger-export/", {"region": "411221000000", "as_of": "2026-02-30", "format": "doc"})
        assert bad.status_code == 422
        text = bad.content.decode()
        assert "管辖范围" in text and "日期格式" in text and "xlsx 或 csv" in text
        ok = client.post("/reports/ledger-export/", {"region": COUNTY, "as_of": PAST.isoformat(), "format": "csv"})
        assert ok.status_code == 302
        job = run_job(claim_next())
        assert job.status == JobStatus.DONE and job.result["rows"] == 4
        assert client.get(f"/jobs/{job.pk}/download/")["Content-Type"].startswith("text/csv")
        assert f"#{job.pk}" in client.get("/reports/ledger-export/").content.decode()
        # another county's officer cannot download it
        client.force_login(county.other_county_user)
        assert client.get(f"/api/v1/jobs/{job.pk}/download").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_unmasked_export_is_read_back_by_the_ledger_import_without_errors(client, county, fmt):
    from microcredit.domain.ledger import find_header, parse_row

    _job, data = _export(client, county.county_user, region=COUNTY, as_of=PAST.isoformat(), format=fmt)
    rows = _csv(data) if fmt == "csv" else _xlsx(data)
    header = find_header(rows)
    assert len(header.columns) == len(EXPECTED_HEADERS)
    for line, row in enumerate(rows[1:], start=2):
        values, errors = parse_row(row, header, line, PAST)
        assert errors == [], errors
        loan = next(x for x in (county.paid, county.bad, county.amort, county.icbc) if x.number == values["contract_number"])
        assert values["balance"] == loan_current_state(loan, PAST).principal_outstanding
        assert values["borrower_id"] == loan.borrower.id_number and values["usage_mode"] == "self"
