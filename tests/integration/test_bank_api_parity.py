"""API parity for banks' systems (issue #13 §5): every action a bank officer has on the pages has a JSON
endpoint that calls the same service, exercised here with a bank officer's token (a happy path and a
refusal); the per-user rate limit (429, Retry-After); idempotency keys scoped per bank; hostile input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import get_resolver

from microcredit.apps.accounts.tokens import issue_token
from microcredit.apps.collection.models import Action, Case
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.funds import ledger
from microcredit.apps.funds.models import Claim, FundAccount, SubsidyBatch
from microcredit.apps.loans import servicing as svc
from microcredit.apps.loans.models import EventKind, Installment, LoanEvent, LoanStatus
from microcredit.apps.monitoring.close import run_close
from microcredit.apps.postloan.models import PostLoanCheck
from microcredit.domain.money import fen_to_yuan
from microcredit.web.api import api
from tests.batch.portfolio import County
from tests.factories import make_bank, make_user

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)

# ---------------------------------------------------------------- the audit: page action → endpoint
# Every page (URL name) where a bank officer acts or reads, and the endpoint that does the same through
# the same service. Page-only URLs (printouts, file downloads of a page's own, pages the bank may not open)
# are listed in PAGE_ONLY with the reason, so a new page URL fails `test_every_page_url_is_classified`.
PARITY: dict[str, list[tuple[str, str]]] = {
    # loans
    "loans:list": [("GET", "/api/v1/loans/")],
    "loans:detail": [("GET", "/api/v1/loans/{loan_id}"), ("GET", "/api/v1/loans/{loan_id}/events"),
                     ("GET", "/api/v1/loans/{loan_id}/settlement-quote")],
    "loans:export": [("POST", "/api/v1/jobs/exports/{kind}")],
    "loans:repayments_import": [("POST", "/api/v1/repayment-batches")],
    "loans:repay": [("POST", "/api/v1/loans/{loan_id}/repayments")],
    "loans:receipt": [("GET", "/api/v1/loans/{loan_id}/events")],
    "loans:settle": [("POST", "/api/v1/loans/{loan_id}/settlement")],
    "loans:extend": [("POST", "/api/v1/loans/extensions")],
    "loans:renew": [("POST", "/api/v1/loans/extensions")],
    "loans:extension_request": [("POST", "/api/v1/loans/extensions")],
    "loans:extensions": [("GET", "/api/v1/loans/extensions")],
    "loans:extension": [("GET", "/api/v1/loans/extensions/{request_id}"),
                        ("POST", "/api/v1/loans/extensions/{request_id}/actions")],
    "loans:class_propose": [("POST", "/api/v1/loans/{loan_id}/classification")],
    "loans:class_proposal": [("GET", "/api/v1/loans/classification/{proposal_id}"),
                             ("POST", "/api/v1/loans/classification/{proposal_id}/actions")],
    "loans:write_off": [("POST", "/api/v1/loans/{loan_id}/write-off")],
    "loans:reverse": [("POST", "/api/v1/loans/events/{event_id}/reverse")],
    # funds
    "funds:accounts": [("GET", "/api/v1/funds/accounts")],
    "funds:claims": [("GET", "/api/v1/funds/claims")],
    "funds:claim_new": [("POST", "/api/v1/funds/claims")],
    "funds:claim": [("GET", "/api/v1/funds/claims/{claim_id}"), ("POST", "/api/v1/funds/claims/{claim_id}/actions")],
    "funds:claim_evidence": [("GET", "/api/v1/funds/claims/evidence/{evidence_id}")],
    "funds:subsidy_batches": [("GET", "/api/v1/funds/subsidy-batches"), ("POST", "/api/v1/funds/subsidy-batches")],
    "funds:batch": [("GET", "/api/v1/funds/subsidy-batches/{batch_id}"),
                    ("POST", "/api/v1/funds/subsidy-batches/{batch_id}/actions")],
    # post-loan
    "postloan:flags": [("GET", "/api/v1/postloan/flags")],
    "postloan:flag_set": [("POST", "/api/v1/postloan/flags")],
    "postloan:flag_clear": [("POST", "/api/v1/postloan/flags/{pk}/clear")],
    "postloan:checks": [("GET", "/api/v1/postloan/checks"), ("POST", "/api/v1/postloan/checks")],
    # collection
    "collection:cases": [("GET", "/api/v1/collection/cases")],
    "collection:case": [("GET", "/api/v1/collection/cases/{case_id}"), ("POST", "/api/v1/collection/cases/{case_id}/actions")],
    # origination (the bank's review step and the disbursement)
    "origination:applications": [("GET", "/api/v1/origination/applications")],
    "origination:detail": [("GET", "/api/v1/origination/applications/{pk}")],
    "origination:act": [("POST", "/api/v1/origination/applications/{pk}/actions")],
    "origination:disburse": [("POST", "/api/v1/origination/applications/{pk}/disburse")],
    # rating (the bank reviews a village's campaign)
    "rating:campaigns": [("GET", "/api/v1/rating/campaigns")],
    "rating:campaign": [("GET", "/api/v1/rating/campaigns/{pk}/ratings")],
    "rating:campaign_act": [("POST", "/api/v1/rating/campaigns/{pk}/actions")],
    "rating:blacklist": [("GET", "/api/v1/rating/blacklist")],
    "rating:credit_villages": [("GET", "/api/v1/rating/credit-regions")],
    "rating:scorecards": [("GET", "/api/v1/rating/scorecards")],
    # problem ledger (the bank rectifies a case assigned to it)
    "problems:cases": [("GET", "/api/v1/problems/cases")],
    "problems:case": [("GET", "/api/v1/problems/cases/{pk}"), ("POST", "/api/v1/problems/cases/{pk}/actions"),
                      ("POST", "/api/v1/problems/cases/{pk}/documents")],
    # bank ledgers (the exchange app's own endpoints, issue #13 §1–§3)
    "exchange:imports": [("GET", "/api/v1/ledgers/imports"), ("POST", "/api/v1/ledgers/imports"),
                         ("POST", "/api/v1/ledgers/loans"), ("POST", "/api/v1/ledgers/repayments")],
    "exchange:import": [("GET", "/api/v1/ledgers/imports/{import_id}")],
    "exchange:import_status": [("GET", "/api/v1/ledgers/imports/{import_id}")],
    "exchange:loans": [("GET", "/api/v1/ledgers/loans")],
    "exchange:loan": [("GET", "/api/v1/ledgers/loans/{loan_id}")],
    "exchange:reconcile": [("POST", "/api/v1/ledgers/reconciliations")],
    "exchange:run": [("GET", "/api/v1/ledgers/reconciliations/{run_id}")],
    "exchange:template": [("GET", "/api/v1/ledgers/templates/{bank}"), ("PUT", "/api/v1/ledgers/templates/{bank}")],
    "exchange:officials": [("POST", "/api/v1/ledgers/officials")],
    # legacy projects, reminders (read)
    "projects:list": [("GET", "/api/v1/projects")],
    "projects:detail": [("GET", "/api/v1/projects/{pk}")],
    "reminders:maturities": [("GET", "/api/v1/reminders/maturities")],
    "reminders:outbox": [("GET", "/api/v1/reminders/outbox")],
}

BANK_PAGE_ACTIONS = [  # the writes a bank officer makes on the pages (issue #13 §5's list and the audit)
    "loans:repay", "loans:settle", "loans:extend", "loans:renew", "loans:extension_request", "loans:extension",
    "loans:class_propose", "loans:write_off", "loans:reverse", "loans:repayments_import",
    "funds:claim_new", "funds:subsidy_batches", "postloan:flag_set", "postloan:flag_clear", "postloan:checks",
    "collection:case", "origination:act", "origination:disburse", "rating:campaign_act", "problems:case",
    "exchange:imports", "exchange:template", "exchange:reconcile",
]

PAGE_ONLY = {  # URL name → why no endpoint is owed to a bank's system
    "funds:account": "专户记账（存入、利息、划出）和贴息方式：县财政局的操作，合作银行只读余额（GET /funds/accounts）",
    "funds:insured": "保险公司的页面（承保贷款），API 为 GET /funds/insured-loans",
    "funds:subsidy_report": "贴息季度报表：人行、县局、财政的汇总页面（待补 API，见 bank-api.md）",
    "funds:subsidy_report_export": "同上，Excel 下载",
    "postloan:check_photo": "检查照片下载（页面附件）",
    "collection:photo": "催收照片下载（页面附件）",
    "collection:daily": "乡镇、村每日催收工作单（打印）",
    "collection:notice": "催收通知书（打印）",
    "origination:inbox": "重定向到待办（GET /api/v1/todo）",
    "origination:create": "录入申请：村级与农户的操作",
    "origination:contract": "合同打印",
    "origination:document": "申请附件下载",
    "rating:campaign_new": "村级评级批次：村金融服务室的操作",
    "rating:rating": "评级录入：村金融服务室的操作",
    "rating:objection_add": "评级异议：村金融服务室的操作",
    "rating:objection_resolve": "评级异议：村金融服务室的操作",
    "rating:blacklist_add": "黑名单：县局的操作",
    "rating:blacklist_lift": "黑名单：县局的操作",
    "rating:honour_add": "荣誉户：村、乡镇的操作",
    "problems:case_new": "登记问题：县、乡镇的操作（POST /problems/cases）",
    "problems:document": "整改材料下载（页面附件）",
    "projects:new": "登记项目：县局的操作",
    "reminders:maturities_export": "到期名单 Excel（GET /reminders/maturities 为同样的数据）",
    "reminders:settings": "提醒设置：县局的操作",
}
NAMESPACES = ("exchange", "loans", "funds", "postloan", "collection", "origination", "rating", "problems", "projects", "reminders")


def _schema_paths() -> dict[str, set[str]]:
    schema = api.get_openapi_schema()
    return {path: {m.upper() for m in ops} for path, ops in schema["paths"].items()}


def test_every_bank_page_action_has_an_endpoint():
    paths = _schema_paths()
    missing = [name for name in BANK_PAGE_ACTIONS if not PARITY.get(name)]
    assert not missing, f"bank page actions without an endpoint: {missing}"
    absent = [(name, m, p) for name, eps in PARITY.items() for m, p in eps if m not in paths.get(p, set())]
    assert not absent, f"endpoints in the parity table that the API does not have: {absent}"


def test_every_page_url_is_classified():
    """A new page URL in a bank's area must be put in PARITY (with its endpoint) or PAGE_ONLY (with why)."""
    resolver = get_resolver()
    names = set()
    for ns in NAMESPACES:
        names |= {f"{ns}:{n}" for n in resolver.namespace_dict[ns][1].reverse_dict if isinstance(n, str)}
    unclassified = sorted(names - set(PARITY) - set(PAGE_ONLY))
    assert not unclassified, f"page URLs in neither PARITY nor PAGE_ONLY: {unclassified}"


# ---------------------------------------------------------------- a county with a bank and its token


def _auth(user) -> dict:
    raw, _ = issue_token(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def county():
    cache.clear()  # throttle counters and idempotency answers of earlier tests
    with pinned_business_date(TODAY):
        c = County()
        c.auth = _auth(c.officer)
        c.account = FundAccount.objects.create(county_code="411224", bank=c.bank, name="卢氏县风险补偿金",
                                               opened_on=dt.date(2024, 1, 1))
        ledger.fund_deposit(account=c.account, amount=50000000, on=dt.date(2024, 1, 2), actor=None)
        c.other_bank = make_bank("YCB", "邮储银行卢氏支行")
        c.other_officer = make_user("bank_officer", scope_regions=["411224"], bank=c.other_bank)
        c.other_auth = _auth(c.other_officer)
        yield c


def post(client, url, body, auth, **extra):
    with pinned_business_date(TODAY):
        return client.post(url, body, content_type="application/json", **auth, **extra)


def get(client, url, auth):
    with pinned_business_date(TODAY):
        return client.get(url, **auth)


def test_early_settlement_with_an_idempotency_key_settles_once(county, client):
    loan = county.loan()
    body = {"on": "2026-05-20", "reference": "CORE-1"}
    r1 = post(client, f"/api/v1/loans/{loan.pk}/settlement", body, county.auth, HTTP_IDEMPOTENCY_KEY="settle-1")
    r2 = post(client, f"/api/v1/loans/{loan.pk}/settlement", body, county.auth, HTTP_IDEMPOTENCY_KEY="settle-1")
    assert (r1.status_code, r2.status_code) == (201, 200), r1.content
    assert r2["Idempotent-Replayed"] == "true" and r1.json() == r2.json()
    assert r1.json()["loan"]["status"] == LoanStatus.SETTLED and r1.json()["event"]["kind"] == "settlement"
    assert LoanEvent.objects.filter(loan=loan, kind=EventKind.SETTLEMENT).count() == 1
    # without a key a second settlement is the rule's refusal, not a second write
    r3 = post(client, f"/api/v1/loans/{loan.pk}/settlement", body, county.auth)
    assert r3.status_code == 422 and r3.json()["detail"]


def test_idempotency_keys_are_per_bank_and_a_reused_key_with_another_body_is_409(county, client):
    mine, theirs = county.loan(), None
    with pinned_business_date(TODAY):
        theirs = county.loan(village=1)
        theirs.bank = county.other_bank
        theirs.save(update_fields=["bank"])
    r = post(client, f"/api/v1/loans/{mine.pk}/write-off", {"on": "2026-05-20", "reason": "死亡"}, county.auth,
             HTTP_IDEMPOTENCY_KEY="same")
    assert r.status_code == 201, r.content
    # the other bank, the same key: its own, independent write-off
    r = post(client, f"/api/v1/loans/{theirs.pk}/write-off", {"on": "2026-05-20", "reason": "死亡"}, county.other_auth,
             HTTP_IDEMPOTENCY_KEY="same")
    assert r.status_code == 201 and r.json()["event"]["loan_id"] == theirs.pk
    # the first bank reusing the key for another request: refused, nothing written
    other = county.loan(village=2)
    r = post(client, f"/api/v1/loans/{other.pk}/write-off", {"on": "2026-05-20", "reason": "死亡"}, county.auth,
             HTTP_IDEMPOTENCY_KEY="same")
    assert r.status_code == 409 and "幂等键" in r.json()["detail"]
    other.refresh_from_db()
    assert other.status == LoanStatus.ACTIVE
    # a key in the body works like the header; a refused call is not remembered
    r = post(client, f"/api/v1/loans/{other.pk}/write-off", {"on": "2026-05-20", "reason": " ", "idempotency_key": "k2"},
             county.auth)
    assert r.status_code == 422
    r = post(client, f"/api/v1/loans/{other.pk}/write-off", {"on": "2026-05-20", "reason": "灾害", "idempotency_key": "k2"},
             county.auth)
    assert r.status_code == 201


def test_write_off_and_its_reversal(county, client):
    loan = county.loan()
    r = post(client, f"/api/v1/loans/{loan.pk}/write-off", {"on": "2026-05-20", "reason": "借款人死亡，代偿后核销"},
             county.auth)
    assert r.status_code == 201 and r.json()["loan"]["status"] == LoanStatus.WRITTEN_OFF
    event_id = r.json()["event"]["id"]
    events = get(client, f"/api/v1/loans/{loan.pk}/events", county.auth).json()
    assert any(e["id"] == event_id and e["kind"] == "write_off" for e in events)
    r = post(client, f"/api/v1/loans/events/{event_id}/reverse", {"reason": "误核销"}, county.auth,
             HTTP_IDEMPOTENCY_KEY="rev-1")
    assert r.status_code == 201 and r.json()["loan"]["status"] == LoanStatus.ACTIVE, r.content
    again = post(client, f"/api/v1/loans/events/{event_id}/reverse", {"reason": "误核销"}, county.auth,
                 HTTP_IDEMPOTENCY_KEY="rev-1")
    assert again.status_code == 200 and again.json() == r.json()
    refused = post(client, f"/api/v1/loans/events/{event_id}/reverse", {"reason": "误核销"}, county.auth)
    assert refused.status_code == 422 and "已冲正" in refused.json()["detail"]
    assert LoanEvent.objects.filter(reverses_id=event_id).count() == 1


def test_repayment_reversal_and_the_other_banks_loan_is_404(county, client):
    loan = county.loan()
    r = post(client, f"/api/v1/loans/{loan.pk}/repayments", {"amount": "100.00", "on": "2026-05-20"}, county.auth)
    assert r.status_code == 201
    r = post(client, f"/api/v1/loans/events/{r.json()['receipt_id']}/reverse", {"reason": "重复入账"}, county.other_auth)
    assert r.status_code == 404
    for url, body in ((f"/api/v1/loans/{loan.pk}/settlement", {"on": "2026-05-20"}),
                      (f"/api/v1/loans/{loan.pk}/write-off", {"on": "2026-05-20", "reason": "x"}),
                      (f"/api/v1/loans/{loan.pk}/classification", {"to_class": "loss", "reason": "death"})):
        assert post(client, url, body, county.other_auth).status_code == 404
    assert get(client, f"/api/v1/loans/{loan.pk}/events", county.other_auth).status_code == 404


def test_classification_proposal_by_the_bank_confirmed_by_the_county(county, client):
    with pinned_business_date(TODAY):
        loan = county.loan(disbursed=dt.date(2026, 5, 1))  # normal: a downgrade is a move
    r = post(client, f"/api/v1/loans/{loan.pk}/classification", {"to_class": "loss", "reason": "other"}, county.auth)
    assert r.status_code == 422  # "other" needs its explanation
    r = post(client, f"/api/v1/loans/{loan.pk}/classification",
              {"to_class": "loss", "reason": "death", "reason_text": "借款人病故"}, county.auth)
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["actions"] == []  # the county office confirms, not the bank
    assert post(client, f"/api/v1/loans/classification/{pk}/actions", {"action": "approve"}, county.auth).status_code == 409
    r = post(client, f"/api/v1/loans/classification/{pk}/actions", {"action": "approve", "opinion": "属实"},
             _auth(county.county_user))
    assert r.status_code == 200 and r.json()["state"] == "confirmed", r.content
    assert get(client, f"/api/v1/loans/classification/{pk}", county.auth).json()["state"] == "confirmed"


def test_extension_and_renewal_requests(county, client):
    loan = county.loan()
    r = post(client, "/api/v1/loans/extensions", {"loan_id": loan.pk, "kind": "extension", "new_maturity": "2028-09-15",
                                                  "reason": "受灾减产"}, county.auth)
    assert r.status_code == 201, r.content
    r = post(client, "/api/v1/loans/extensions", {"loan_id": loan.pk, "kind": "renewal", "reason": "x" * 501}, county.auth)
    assert r.status_code == 422


@pytest.fixture
def repaid(county):
    with pinned_business_date(TODAY):
        loan = county.loan(disbursed=dt.date(2025, 3, 15))
        for i in Installment.objects.filter(loan=loan, due_date__lte=TODAY):
            svc.repayment_post(loan=loan, amount=i.principal + i.interest, on=i.due_date, actor=county.officer)
    return loan


def test_subsidy_batch_drafted_by_the_bank_and_verified_by_the_pboc(county, repaid, client):
    body = {"period": "quarter", "start": "2026-01-01", "mode": "claim"}
    r = post(client, "/api/v1/funds/subsidy-batches", body, county.auth, HTTP_IDEMPOTENCY_KEY="q1")
    assert r.status_code == 201, r.content
    again = post(client, "/api/v1/funds/subsidy-batches", body, county.auth, HTTP_IDEMPOTENCY_KEY="q1")
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    assert SubsidyBatch.objects.count() == 1
    batch = r.json()
    assert batch["status"] == "drafted" and batch["line_count"] == len(batch["lines"]) > 0
    assert batch["total"] == f"{sum(float(x['amount']) for x in batch['lines']):.2f}"
    assert get(client, "/api/v1/funds/subsidy-batches", county.other_auth).json() == []  # another bank's
    assert get(client, f"/api/v1/funds/subsidy-batches/{batch['id']}", county.other_auth).status_code == 404
    assert post(client, f"/api/v1/funds/subsidy-batches/{batch['id']}/actions", {"action": "verify"},
                county.auth).status_code == 409  # the bank does not verify its own batch
    r = post(client, f"/api/v1/funds/subsidy-batches/{batch['id']}/actions", {"action": "verify", "opinion": "核对无误"},
             _auth(county.pboc))
    assert r.status_code == 200 and r.json()["status"] == "verified"
    # refusals: not a bank user, a wrong period
    assert post(client, "/api/v1/funds/subsidy-batches", body, _auth(county.county_user)).status_code == 403
    assert post(client, "/api/v1/funds/subsidy-batches", {"period": "year", "start": "2026-01-01"},
                county.auth).status_code == 422


def test_claim_filed_with_evidence_and_followed(county, client):
    with pinned_business_date(TODAY):
        bad = county.loan(method="bullet", months=12, disbursed=dt.date(2025, 1, 10), principal=3000000)
        fresh = county.loan(village=1, disbursed=dt.date(2026, 5, 1))
    pdf = SimpleUploadedFile("死亡证明.pdf", b"%PDF-1.4 certificate", content_type="application/pdf")
    form = {"loan_number": fresh.number, "cause": "death", "collection_note": "已三次上门催收"}
    with pinned_business_date(TODAY):
        r = client.post("/api/v1/funds/claims", form, **county.auth)
        assert r.status_code == 422 and r.json()["detail"]  # not 90 days overdue
        r = client.post("/api/v1/funds/claims", form | {"loan_number": bad.number, "evidence": pdf}, **county.auth)
    assert r.status_code == 201, r.content
    claim = r.json()
    assert claim["status"] == "filed" and len(claim["evidence"]) == 1
    assert claim["loss"] == fen_to_yuan(Claim.objects.get().loss) and claim["loss"].startswith("3")  # 30000 + interest
    with pinned_business_date(TODAY):
        download = client.get(claim["evidence"][0]["url"], **county.auth)
        assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
        assert client.get(claim["evidence"][0]["url"], **county.other_auth).status_code == 404
    r = post(client, f"/api/v1/funds/claims/{claim['id']}/actions", {"action": "notice"}, _auth(county.county_user))
    assert r.status_code == 200 and r.json()["status"] == "notice"
    followed = get(client, f"/api/v1/funds/claims/{claim['id']}", county.auth).json()
    assert followed["status"] == "notice" and [s["action"] for s in followed["steps"]] == ["file", "notice"]
    assert [o["agreed"] for o in followed["opinions"]] == [False, False, False]
    assert get(client, f"/api/v1/funds/claims/{claim['id']}", county.other_auth).status_code == 404
    assert Claim.objects.count() == 1


def test_risk_flags_set_and_cleared(county, client):
    loan = county.loan()
    r = post(client, "/api/v1/postloan/flags", {"kind": "illness", "reason": "借款人重病住院", "loan_id": loan.pk},
             county.auth)
    assert r.status_code == 201, r.content
    again = post(client, "/api/v1/postloan/flags", {"kind": "illness", "reason": "借款人重病住院", "loan_id": loan.pk},
                 county.auth)
    assert again.status_code in (409, 422)  # one open flag of a kind
    r = post(client, f"/api/v1/postloan/flags/{r.json()['id']}/clear", {"reason": "已康复"}, county.auth)
    assert r.status_code == 200, r.content


@pytest.mark.parametrize("method,url,body", [
    ("GET", "/api/v1/collection/cases", None),
    ("POST", "/api/v1/collection/cases/999999/actions", {"channel": "visit", "result": "promised"}),
    ("GET", "/api/v1/origination/applications", None),
    ("POST", "/api/v1/origination/applications/999999/actions", {"action": "approve"}),
    ("POST", "/api/v1/origination/applications/999999/disburse",
     {"annual_rate": "4.35", "method": "bullet", "account_number": "6217000010001234569"}),
    ("GET", "/api/v1/rating/campaigns", None),
    ("POST", "/api/v1/rating/campaigns/999999/actions", {"action": "approve"}),
    ("GET", "/api/v1/problems/cases", None),
    ("POST", "/api/v1/problems/cases/999999/actions", {"action": "rectify"}),
    ("GET", "/api/v1/postloan/checks", None),
    ("POST", "/api/v1/postloan/checks", {"loan_id": 999999, "result": "passed"}),
    ("GET", "/api/v1/projects", None),
    ("GET", "/api/v1/reminders/maturities", None),
    ("GET", "/api/v1/funds/accounts", None),
])
def test_the_other_bank_endpoints_answer_a_bank_token(county, client, method, url, body):
    """The endpoints that existed before this audit: a bank token reaches them (a list 200; an unknown item 404)."""
    r = get(client, url, county.auth) if method == "GET" else post(client, url, body, county.auth)
    assert r.status_code == (200 if method == "GET" else 404), (url, r.status_code, r.content[:300])


# ---------------------------------------------------------------- rate limit


def test_token_calls_past_the_rate_get_429_with_retry_after(county, client):
    with override_settings(MICROCREDIT_API_RATE="3/min"):
        codes = [get(client, "/api/v1/loans/", county.auth).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = get(client, "/api/v1/loans/", county.auth)
        assert r.status_code == 429 and 1 <= int(r["Retry-After"]) <= 60
        assert "请求过于频繁" in r.json()["detail"] and r.json()["retry_after"] == int(r["Retry-After"])
        # another token of the same user shares the rate; another user has its own
        assert get(client, "/api/v1/loans/", _auth(county.officer)).status_code == 429
        assert get(client, "/api/v1/loans/", county.other_auth).status_code == 200
        # the browser session (the pages' scripts) is not counted here
        client.force_login(county.officer)
        assert [client.get("/api/v1/loans/").status_code for _ in range(5)] == [200] * 5


# ---------------------------------------------------------------- hostile input: never a 500


@pytest.mark.parametrize("url,body,header", [
    ("/api/v1/loans/{loan}/settlement", {"on": "2026-13-01"}, {}),
    ("/api/v1/loans/{loan}/settlement", {"on": "2030-01-01"}, {}),  # after the business date
    ("/api/v1/loans/{loan}/settlement", {"on": "2020-01-01"}, {}),  # before the disbursement
    ("/api/v1/loans/{loan}/settlement", {"on": "2026-05-20", "reference": "x" * 65}, {}),
    ("/api/v1/loans/{loan}/write-off", {"on": "2026-05-20", "reason": "长" * 501}, {}),
    ("/api/v1/loans/{loan}/write-off", {"on": "2026-05-20", "reason": "a\x00b"}, {}),
    ("/api/v1/loans/{loan}/write-off", {"on": "2026-05-20", "reason": "x"}, {"HTTP_IDEMPOTENCY_KEY": "k" * 81}),
    ("/api/v1/loans/{loan}/write-off", {"on": "2026-05-20", "reason": "x"}, {"HTTP_IDEMPOTENCY_KEY": "a\tb"}),
    ("/api/v1/loans/{loan}/classification", {"to_class": "terrible"}, {}),
    ("/api/v1/loans/{loan}/classification", {"to_class": "loss", "reason": "death", "reason_text": "x" * 501}, {}),
    ("/api/v1/loans/events/99999999999/reverse", {"reason": "x"}, {}),
    ("/api/v1/loans/events/999999/reverse", {"reason": "x" * 201}, {}),
    ("/api/v1/loans/classification/999999/actions", {"action": "x" * 17}, {}),
    ("/api/v1/funds/subsidy-batches", {"period": "quarter", "start": "0000-01-01"}, {}),
    ("/api/v1/funds/subsidy-batches/999999/actions", {"action": "verify", "opinion": "x" * 501}, {}),
    ("/api/v1/funds/claims/999999/actions", {"action": "notice"}, {}),
])
def test_hostile_input_is_refused_without_a_500(county, client, url, body, header):
    loan = county.loan()
    r = post(client, url.format(loan=loan.pk), body, county.auth, **header)
    assert r.status_code in (404, 409, 422), (r.status_code, r.content[:300])
    assert "detail" in r.json()
    loan.refresh_from_db()
    assert loan.status == LoanStatus.ACTIVE


def test_hostile_claim_forms(county, client):
    loan = county.loan()
    with pinned_business_date(TODAY):
        for form in ({"loan_number": "x" * 33, "cause": "death", "collection_note": "催收"},
                     {"loan_number": loan.number, "cause": "bored", "collection_note": "催收"},
                     {"loan_number": loan.number, "cause": "death", "collection_note": "长" * 2001},
                     {"loan_number": "NOPE", "cause": "death", "collection_note": "催收"}):
            r = client.post("/api/v1/funds/claims", form, **county.auth)
            assert r.status_code in (404, 422), (form, r.content[:200])
        exe = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
        r = client.post("/api/v1/funds/claims", {"loan_number": loan.number, "cause": "death",
                                                 "collection_note": "催收", "evidence": exe}, **county.auth)
        assert r.status_code == 422
    assert Claim.objects.count() == 0


# ---------------------------------------------------------------- idempotency on the earlier write endpoints


def test_a_retried_post_loan_check_or_collection_action_records_once(county, client):
    loan = county.loan()
    body = {"loan_id": loan.pk, "result": "passed", "finding": "资金用于养牛，属实", "idempotency_key": "chk-1"}
    r1 = post(client, "/api/v1/postloan/checks", body, county.auth)
    r2 = post(client, "/api/v1/postloan/checks", body, county.auth)
    assert (r1.status_code, r2.status_code) == (201, 200) and r1.json() == r2.json(), r1.content
    assert PostLoanCheck.objects.filter(loan=loan).count() == 1
    with pinned_business_date(TODAY):
        run_close(TODAY)
    case = Case.objects.get(loan=loan)
    body = {"channel": "visit", "result": "promise", "promised_on": "2026-06-09", "promised_amount": "400.00",
            "note": "上门，承诺下周还"}
    r1 = post(client, f"/api/v1/collection/cases/{case.pk}/actions", body, county.auth, HTTP_IDEMPOTENCY_KEY="act-1")
    r2 = post(client, f"/api/v1/collection/cases/{case.pk}/actions", body, county.auth, HTTP_IDEMPOTENCY_KEY="act-1")
    assert (r1.status_code, r2.status_code) == (201, 200), r1.content
    assert Action.objects.filter(case=case).count() == 1
    r3 = post(client, f"/api/v1/collection/cases/{case.pk}/actions", body | {"note": "另一次"}, county.auth,
              HTTP_IDEMPOTENCY_KEY="act-1")
    assert r3.status_code == 409
