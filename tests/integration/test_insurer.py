"""The insurer of a 政银保 scheme (DOMAIN §1, §7; issue #11 §8): in its county it sees the loans of banks whose
fund account shares losses with an insurer, the claims on them with its share of each claim and of the
recoveries, read-only; never another county's, never a bank's under a fund/bank scheme. Its dashboard panel's
figures are the lists behind their links, and the API says what the pages say."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.core.workflow import WorkflowRefused, actions_for
from microcredit.apps.funds import claims, dashboard, ledger
from microcredit.apps.funds.models import FundAccount
from microcredit.apps.loans.services import loan_open
from microcredit.apps.regions.models import Region
from microcredit.domain.money import fen_to_yuan
from microcredit.domain.workflow import RISK_FUND_CLAIM
from tests.factories import make_bank, make_household, make_region_tree, make_user

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)


class World:
    def __init__(self):
        tree = make_region_tree()
        other = Region.objects.create(code="411221000000", name="渑池县", level="county", parent=tree.city)
        town = Region.objects.create(code="411221100000", name="城关镇", level="township", parent=other)
        far = Region.objects.create(code="411221100001", name="远村", level="village", parent=town)
        self.zyb, self.plain = make_bank("PSBC", "邮储银行"), make_bank("NSH", "卢氏农商银行")
        self.insurer = make_user("insurer", ["411224"])
        self.county, self.leader = make_user("county_office", ["411224"]), make_user("county_office", ["411224"])
        self.finance, self.pboc = make_user("finance", ["411224"]), make_user("pboc", ["411224"])
        officer = make_user("admin")
        for county, bank, preset in (("411224", self.zyb, "zheng_yin_bao"), ("411224", self.plain, "fund_bank_70_30"),
                                     ("411221", self.zyb, "zheng_yin_bao")):
            account = FundAccount.objects.create(county_code=county, bank=bank, name=f"{county}{bank.code}专户",
                                                 sharing_preset=preset, opened_on=dt.date(2024, 1, 1))
            ledger.fund_deposit(account=account, amount=50_000_000, on=dt.date(2024, 1, 2), actor=None)

        def loan(bank, village):
            hh = make_household(village)
            return loan_open(household=hh, borrower=hh.members.first(), bank=bank, principal=3_000_000,
                             annual_rate=Decimal("4.35"), cap_rate=Decimal("4.75"), disbursed_on=dt.date(2025, 1, 10),
                             term_months=12, method="bullet", policy_era="2021", actor=officer)

        self.insured = [loan(self.zyb, tree.villages[0]), loan(self.zyb, tree.villages[2])]
        self.not_insured = [loan(self.plain, tree.villages[0]), loan(self.zyb, far)]  # 70/30 bank; other county
        filed = {x.pk: claims.claim_file(loan=x, cause="death", collection_note="多次催收", actor=officer,
                                         on=dt.date(2026, 5, 1)) for x in self.insured + self.not_insured}
        self.paid = filed[self.insured[0].pk]
        claims.claim_transition(claim=self.paid, action="notice", actor=self.county, on=dt.date(2026, 5, 1))
        for verifier in (self.county, self.finance, self.pboc):  # each its own opinion (DOMAIN §7)
            claims.claim_transition(claim=self.paid, action="verify", actor=verifier, on=dt.date(2026, 5, 8))
        claims.claim_transition(claim=self.paid, action="approve", actor=self.leader, on=dt.date(2026, 5, 8))
        self.paid = claims.claim_transition(claim=self.paid, action="pay", actor=self.finance, on=dt.date(2026, 5, 20))
        self.recovery = claims.claim_recovery(claim=self.paid, amount=100_001, actor=officer, on=dt.date(2026, 5, 30))
        self.pending = filed[self.insured[1].pk]
        self.hidden = [filed[x.pk] for x in self.not_insured]


@pytest.fixture
def world():
    with pinned_business_date(TODAY):
        yield World()


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_insurer_sees_the_insured_loans_of_its_county_only_and_the_api_says_the_same(world):
    with pinned_business_date(TODAY):
        page = client(world.insurer).get("/funds/insured/").content.decode()
        api = client(world.insurer).get("/api/v1/funds/insured-loans").json()
    for loan in world.insured:
        assert loan.number in page
    for loan in world.not_insured:
        assert loan.number not in page
    assert {x["number"] for x in api} == {x.number for x in world.insured}
    assert all(isinstance(x["principal_outstanding"], str) for x in api)


def test_the_insurer_sees_its_share_of_claims_and_recoveries_and_nothing_else(world):
    c = client(world.insurer)
    with pinned_business_date(TODAY):
        page = c.get("/funds/claims/").content.decode()
        detail = c.get(f"/funds/claims/{world.pending.pk}/").content.decode()
        api = {x["number"]: x for x in c.get("/api/v1/funds/claims").json()}
        refused = [c.get(f"/funds/claims/{x.pk}/").status_code for x in world.hidden]
    assert world.paid.number in page and world.pending.number in page
    assert not [x.number for x in world.hidden if x.number in page] and refused == [404, 404]
    assert set(api) == {world.paid.number, world.pending.number}
    # paid: the share as paid (50 %, the last party absorbs the rounding); pending: as the scheme would split it
    assert world.paid.shares["insurer"] == world.paid.loss - round(world.paid.loss * 2 / 10) - round(world.paid.loss * 3 / 10)
    assert api[world.paid.number]["insurer_share"] == fen_to_yuan(world.paid.shares["insurer"])
    assert api[world.paid.number]["insurer_recovered"] == fen_to_yuan(world.recovery["insurer"]) == "500.01"
    pending_share = world.pending.loss - round(world.pending.loss * 2 / 10) - round(world.pending.loss * 3 / 10)
    assert api[world.pending.number]["insurer_share"] == fen_to_yuan(pending_share)
    assert "保险公司" in detail and "分担（测算）" in detail  # party names by label, never the code
    facts = detail.split('<dl class="facts">', 1)[1].split("</dl>", 1)[0]
    assert "insurer" not in re.sub(r"<[^>]+>", "", facts)


def test_the_insurer_cannot_act_on_claims_nor_see_fund_accounts(world):
    c = client(world.insurer)
    with pinned_business_date(TODAY):
        assert actions_for(RISK_FUND_CLAIM, world.pending, world.insurer) == ()
        with pytest.raises(WorkflowRefused):
            claims.claim_transition(claim=world.pending, action="notice", actor=world.insurer)
        c.post(f"/funds/claims/{world.pending.pk}/", {"action": "notice", "opinion": "公示"})
        assert c.get("/funds/accounts/").status_code == 403
        assert c.get("/funds/claims/new/").status_code == 403
        assert c.get("/funds/subsidy/").status_code == 403
        assert client(world.pboc).get("/funds/insured/").status_code == 403
        assert client(world.pboc).get("/api/v1/funds/insured-loans").status_code == 403
    world.pending.refresh_from_db()
    assert world.pending.status == "filed"


def test_panel_figures_are_the_lists_behind_their_links(world):
    with pinned_business_date(TODAY):
        panel = dashboard.insurer_panel(world.insurer, None)
        c = client(world.insurer)
        figures = {f["key"]: f for f in panel["figures"]}
        assert figures["active"]["count"] == 2 and figures["status-filed"]["count"] == 1
        assert figures["paid_year-2026"]["amount"] == world.paid.shares["insurer"]
        assert figures["recovered_year-2026"]["amount"] == world.recovery["insurer"]
        for f in panel["figures"]:
            body = c.get(f["url"]).content.decode()
            if f["url"].startswith("/funds/insured/"):
                assert f'<span id="insured-count">{f["count"]}</span>' in body
                assert f'<span id="insured-balance">{fen_to_yuan(f["amount"])}</span>' in body
            else:
                assert body.count('class="num insurer-share"') == f["count"], f["label"]
                api = c.get("/api/v1/funds/claims?" + f["url"].split("?", 1)[1]).json()
                column = "insurer_recovered" if "recovered_year" in f["url"] else "insurer_share"
                assert len(api) == f["count"]
                assert sum(Decimal(x[column]) for x in api) == Decimal(fen_to_yuan(f["amount"])), f["label"]
        home = c.get("/").content.decode()
        assert 'id="panel-insurer"' in home
        assert 'id="panel-insurer"' not in client(world.pboc).get("/").content.decode()


def test_bad_filters_are_named_never_a_500(world):
    c = client(world.insurer)
    with pinned_business_date(TODAY):
        assert c.get("/funds/insured/?show=all").status_code == 400
        assert c.get("/funds/claims/?status=x").status_code == 400
        assert c.get("/funds/claims/?paid_year=99999").status_code == 400
        assert c.get("/api/v1/funds/claims?status=x").status_code == 422
        assert c.get("/api/v1/funds/insured-loans?show=x").status_code == 422
