"""Compensation claims: ≥ 90 days, notice ≥ 7 days, approvals, payout split, recoveries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.core.workflow import WorkflowRefused
from microcredit.apps.funds import claims, ledger
from microcredit.apps.funds.models import FundAccount, Ledger
from tests.batch.portfolio import County
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    with pinned_business_date(dt.date(2026, 6, 1)):
        c = County()
        c.leader = make_user("county_office", ["411224"])  # 领导小组办公室
        c.account = FundAccount.objects.create(county_code="411224", bank=c.bank, name="卢氏县风险补偿金", opened_on=dt.date(2024, 1, 1))
        ledger.fund_deposit(account=c.account, amount=50000000, on=dt.date(2024, 1, 2), actor=None)
        # bullet loan due 2026-01-10, never repaid
        c.bad = c.loan(method="bullet", months=12, disbursed=dt.date(2025, 1, 10), principal=3000000)
        yield c


def verify_all(claim, county, on=None):
    """Finance, PBoC and last the county office each record their opinion (DOMAIN §7, issue #12 §11)."""
    for who in (county.finance, county.pboc, county.county_user):
        claim = claims.claim_transition(claim=claim, action="verify", actor=who, on=on, opinion="核实属实")
    assert claim.status == "verified"
    return claim


def test_claim_before_90_days_is_refused_with_the_reason(county):
    with pinned_business_date(dt.date(2026, 3, 1)):
        with pytest.raises(claims.ClaimError) as err:
            claims.claim_file(loan=county.bad, cause="death", collection_note="多次上门催收", actor=county.officer,
                              on=dt.date(2026, 3, 1))
    assert "逾期 50 天，未满 90 天" in err.value.message


def test_claim_goes_through_notice_verification_approval_and_payout(county):
    on = dt.date(2026, 5, 1)
    with pinned_business_date(dt.date(2026, 6, 1)):
        claim = claims.claim_file(loan=county.bad, cause="death", collection_note="借款人去世，家属无力偿还", actor=county.officer, on=on)
        assert claim.days_past_due == 111 and claim.loss_principal == 3000000
        claims.claim_transition(claim=claim, action="notice", actor=county.county_user, on=on)
        with pytest.raises(claims.ClaimError, match="公示期未满"):
            claims.claim_transition(claim=claim, action="verify", actor=county.finance, on=on + dt.timedelta(days=6))
        verify_all(claim, county, on=on + dt.timedelta(days=7))
        with pytest.raises(WorkflowRefused, match="职责分离"):  # four eyes: the verifier may not approve
            claims.claim_transition(claim=claim, action="approve", actor=county.county_user, opinion="同意代偿")
        claims.claim_transition(claim=claim, action="approve", actor=county.leader, opinion="同意代偿")
        with pytest.raises(WorkflowRefused, match="无权"):
            claims.claim_transition(claim=claim, action="pay", actor=county.county_user)
        claim = claims.claim_transition(claim=claim, action="pay", actor=county.finance)
    assert claim.status == "paid"
    assert claim.shares == {"fund": round(claim.loss * 7 / 10), "bank": claim.loss - round(claim.loss * 7 / 10)}
    assert ledger.balance(county.account) == 50000000 - claim.shares["fund"]
    assert ledger.balance(county.account, Ledger.COMPENSATION) == claim.shares["fund"]
    shares = claims.claim_recovery(claim=claim, amount=100001, actor=county.officer)
    assert shares == {"fund": 70001, "bank": 30000}
    assert ledger.balance(county.account) == 50000000 - claim.shares["fund"] + 70001
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM (SELECT entry_id FROM funds_posting GROUP BY entry_id HAVING SUM(amount) <> 0) x")
        assert cur.fetchone()[0] == 0


def test_rejection_needs_reasons_and_payout_beyond_the_fund_goes_to_the_county_budget(county):
    with pinned_business_date(dt.date(2026, 6, 1)):
        claim = claims.claim_file(loan=county.bad, cause="disaster", collection_note="洪灾", actor=county.officer)
        with pytest.raises(WorkflowRefused, match="意见或理由"):
            claims.claim_transition(claim=claim, action="reject", actor=county.county_user)
        claims.claim_transition(claim=claim, action="reject", actor=county.county_user, opinion="银行未及时催收")
        claim.refresh_from_db()
        assert claim.status == "rejected" and claim.rejection_reason == "银行未及时催收"
        ledger.fund_transfer_out(account=county.account, amount=49000000, on=dt.date(2026, 6, 1), actor=None)
        # filed on 05-20 so that the notice (dated on the filing day, never before it) has run 7 days by 06-01
        again = claims.claim_file(loan=county.bad, cause="disaster", collection_note="洪灾，已催收", actor=county.officer,
                                  on=dt.date(2026, 5, 20))
        for action, who in (("notice", county.county_user),):
            claims.claim_transition(claim=again, action=action, actor=who, on=dt.date(2026, 5, 20))
        verify_all(again, county)
        claims.claim_transition(claim=again, action="approve", actor=county.leader)
        again = claims.claim_transition(claim=again, action="pay", actor=county.finance)
    assert ledger.balance(county.account) == 0
    assert ledger.balance(county.account, Ledger.COUNTY_BUDGET) == 49000000 - (again.shares["fund"] - 1000000)


def test_pages_show_claims_accounts_and_subsidy(county, client):
    client.force_login(county.officer)
    with pinned_business_date(dt.date(2026, 6, 1)):
        r = client.post("/funds/claims/new/", {"loan_number": county.bad.number, "cause": "death",
                                               "collection_note": "已催收"})
        assert r.status_code == 302, r.content.decode()[:3000]
        claim_url = r["Location"]
        assert "银行已申报" in client.get(claim_url).content.decode()
        client.force_login(county.county_user)
        client.post(claim_url, {"action": "notice", "opinion": "公示"})
        assert "村级公示中" in client.get(claim_url).content.decode()
        assert county.account.name in client.get("/funds/accounts/").content.decode()
        assert client.get(f"/funds/accounts/{county.account.pk}/").status_code == 200
        assert client.get("/funds/subsidy/").status_code == 200
        assert client.get("/funds/subsidy/report/").status_code == 200
        assert client.get("/api/v1/funds/accounts").json()[0]["quota"] == "5000000.00"  # yuan strings (issue #10 §6)


def test_claim_evidence_is_checked_by_content_and_downloads_only_within_the_claims_scope(county, client):
    """Issue #9: evidence took any type and its links were 404; now PDF/JPG/PNG only, scoped download."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import make_bank

    exe = SimpleUploadedFile("death.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pinned_business_date(dt.date(2026, 6, 1)):
        with pytest.raises(claims.ClaimError, match="PDF、JPG 或 PNG"):
            claims.claim_file(loan=county.bad, cause="death", collection_note="已催收", actor=county.officer,
                              on=dt.date(2026, 5, 1), evidence=[exe])
        pdf = SimpleUploadedFile("死亡证明.pdf", b"%PDF-1.4 certificate", content_type="application/pdf")
        claim = claims.claim_file(loan=county.bad, cause="death", collection_note="已催收", actor=county.officer,
                                  on=dt.date(2026, 5, 1), evidence=[pdf])
        evidence = claim.evidence.get()
        assert evidence.content_type == "application/pdf"
        client.force_login(county.county_user)
        page = client.get(f"/funds/claims/{claim.pk}/").content.decode()
        assert f"/funds/claims/evidence/{evidence.pk}/" in page
        r = client.get(f"/funds/claims/evidence/{evidence.pk}/")
        assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
        other = make_user("bank_officer", ["411224"], bank=make_bank("YCB", "邮储银行"))
        client.force_login(other)
        assert client.get(f"/funds/claims/evidence/{evidence.pk}/").status_code == 404


def test_verification_needs_the_county_office_finance_and_pboc_each_once_in_any_order(county, client):
    on = dt.date(2026, 5, 1)
    with pinned_business_date(dt.date(2026, 6, 1)):
        claim = claims.claim_file(loan=county.bad, cause="death", collection_note="借款人去世", actor=county.officer, on=on)
        claims.claim_transition(claim=claim, action="notice", actor=county.county_user, on=on)
        claim = claims.claim_transition(claim=claim, action="verify", actor=county.pboc, opinion="人行核实")
        assert claim.status == "notice" and claim.taken.action == "agree" and claim.taken.actor_role == "pboc"
        with pytest.raises(claims.ClaimError, match="不能重复核实"):
            claims.claim_transition(claim=claim, action="verify", actor=county.pboc)
        with pytest.raises(WorkflowRefused, match="无权"):  # the bank has no opinion here
            claims.claim_transition(claim=claim, action="verify", actor=county.officer)
        claim = claims.claim_transition(claim=claim, action="verify", actor=county.county_user)
        assert claim.status == "notice"
        assert [bool(step) for _role, step in claims.claim_opinions(claim)] == [True, False, True]
        client.force_login(county.finance)
        page = client.get(f"/funds/claims/{claim.pk}/").content.decode()
        assert "核实意见" in page and "待核实" in page and page.count('name="action" value="verify"') == 1
        assert 'value="agree"' not in page
        claim = claims.claim_transition(claim=claim, action="verify", actor=county.finance)
        assert claim.status == "verified" and claim.taken.action == "verify"
        assert all(step for _role, step in claims.claim_opinions(claim))


def test_any_verifier_returns_or_rejects_with_a_reason_and_a_return_starts_the_opinions_again(county):
    on = dt.date(2026, 5, 1)
    with pinned_business_date(dt.date(2026, 6, 1)):
        claim = claims.claim_file(loan=county.bad, cause="death", collection_note="借款人去世", actor=county.officer, on=on)
        claims.claim_transition(claim=claim, action="notice", actor=county.county_user, on=on)
        claims.claim_transition(claim=claim, action="verify", actor=county.pboc)
        with pytest.raises(WorkflowRefused, match="意见或理由"):
            claims.claim_transition(claim=claim, action="return", actor=county.finance)
        claim = claims.claim_transition(claim=claim, action="return", actor=county.finance, opinion="缺死亡证明")
        assert claim.status == "filed"
        claims.claim_transition(claim=claim, action="notice", actor=county.county_user, on=dt.date(2026, 5, 20))
        assert not any(step for _role, step in claims.claim_opinions(claim))  # the earlier agreement no longer counts
        claims.claim_transition(claim=claim, action="verify", actor=county.pboc, on=dt.date(2026, 5, 27))
        claim = claims.claim_transition(claim=claim, action="reject", actor=county.finance, opinion="材料不实",
                                        on=dt.date(2026, 5, 27))
        assert claim.status == "rejected" and claim.rejection_reason == "材料不实"


def test_a_verifier_of_another_county_cannot_give_an_opinion(county):
    on = dt.date(2026, 5, 1)
    with pinned_business_date(dt.date(2026, 6, 1)):
        claim = claims.claim_file(loan=county.bad, cause="death", collection_note="借款人去世", actor=county.officer, on=on)
        claims.claim_transition(claim=claim, action="notice", actor=county.county_user, on=on)
        with pytest.raises(WorkflowRefused, match="管辖范围"):
            claims.claim_transition(claim=claim, action="verify", actor=make_user("pboc", ["999999"]))
