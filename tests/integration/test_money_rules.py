"""Money and time rules that hold at every write (issue #8 §2): no money event after the business
date, account numbers validated, breakers / quota / 在贷 re-checked at the bank decision and the
disbursement under the application's lock, the one-active-loan constraint never a 500."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.funds import claims, ledger
from microcredit.apps.funds.forms import EntryForm
from microcredit.apps.funds.models import FundAccount
from microcredit.apps.loans import servicing as svc
from microcredit.apps.loans.forms import RepaymentForm
from microcredit.apps.loans.models import Loan, LoanEvent, LoanStatus
from microcredit.apps.loans.services import LoanRefused, loan_open, one_active_guard
from microcredit.apps.monitoring.models import Suspension
from microcredit.apps.origination import services
from microcredit.apps.origination.forms import DisburseForm
from tests.batch.portfolio import County
from tests.factories import CARD_NUMBER, make_bank, make_household, make_region_tree, make_user, next_id_number
from tests.integration.test_origination_flow import rate

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)  # applied on
TODAY = dt.date(2026, 3, 10)  # business date
FUTURE = dt.date(2027, 3, 1)


@pytest.fixture
def world():
    with pinned_business_date(TODAY):
        tree = make_region_tree()
        village = tree.villages[0]
        hh = make_household(village, members=1, head_id_number=next_id_number(born=dt.date(1980, 5, 1)))
        rate(hh)
        bank = make_bank()
        users = {
            "village": make_user("village_station", [village.prefix]),
            "village_reviewer": make_user("village_station", [village.prefix]),
            "township": make_user("township_station", [tree.townships[0].prefix]),
            "county": make_user("county_office", [tree.county.prefix]),
            "bank": make_user("bank_officer", [tree.county.prefix], bank=bank),
        }
        yield tree, hh, bank, users


def apply(hh, bank, users, amount=3_000_000):
    return services.application_create(household=hh, borrower=hh.members.get(relation="head"), bank=bank,
                                       amount=amount, term_months=36, industry="养殖", purpose="养殖肉牛5头",
                                       actor=users["village"], on=DAY)


NEXT = {"draft": ("submit", "village"), "village_review": ("approve", "village_reviewer"),
        "township_review": ("approve", "township"), "county_review": ("approve", "county"),
        "bank_review": ("approve", "bank")}


def walk(app, users, until="approved"):
    """Take the application's steps from where it stands up to ``until``, a day apart."""
    while app.state != until:
        action, who = NEXT[app.state]
        app = services.application_transition(application=app, action=action, actor=users[who],
                                              on=DAY + dt.timedelta(days=list(NEXT).index(app.state)), opinion="同意")
    return app


def disburse(app, users, **kw):
    args = dict(application=app, actor=users["bank"], annual_rate=Decimal("3.00"), method="interest_quarterly",
                disbursed_on=TODAY, account_number=CARD_NUMBER)
    return services.application_disburse(**(args | kw))


# ---------------------------------------------------------------- 1. no money event after the business date

def test_disbursement_dated_after_the_business_date_is_refused(world):
    tree, hh, bank, users = world
    app = walk(apply(hh, bank, users), users)
    with pytest.raises(services.DisbursementRefused) as exc:
        disburse(app, users, disbursed_on=FUTURE)
    assert exc.value.field == "disbursed_on" and "晚于当前业务日期 2026-03-10" in exc.value.message
    assert not Loan.objects.exists()
    app.refresh_from_db()
    assert app.state == "approved"


def test_disbursement_before_the_bank_decision_is_refused(world):
    tree, hh, bank, users = world
    app = walk(apply(hh, bank, users), users)  # the bank decided on DAY + 4
    with pytest.raises(services.DisbursementRefused, match="早于审定日期 2026-03-06"):
        disburse(app, users, disbursed_on=DAY + dt.timedelta(days=3))


def test_application_step_dated_in_the_future_is_refused(world):
    tree, hh, bank, users = world
    app = apply(hh, bank, users)
    with pytest.raises(services.WorkflowRefused, match="晚于当前业务日期"):
        services.application_transition(application=app, action="submit", actor=users["village"], on=FUTURE)


def test_loan_open_refuses_a_future_date_whoever_calls_it(world):
    tree, hh, bank, users = world
    with pytest.raises(LoanRefused) as exc:
        loan_open(household=hh, borrower=hh.members.first(), bank=bank, principal=1_000_000,
                  annual_rate=Decimal("3.00"), cap_rate=Decimal("3.45"), disbursed_on=FUTURE, term_months=12,
                  method="bullet", policy_era="2021", actor=users["bank"], account_number=CARD_NUMBER)
    assert exc.value.field == "disbursed_on"
    assert not Loan.objects.exists()


@pytest.fixture
def county():
    with pinned_business_date(dt.date(2026, 6, 1)):
        c = County()
        c.account = FundAccount.objects.create(county_code="411224", bank=c.bank, name="卢氏县风险补偿金",
                                               opened_on=dt.date(2024, 1, 1))
        ledger.fund_deposit(account=c.account, amount=50_000_000, on=dt.date(2024, 1, 2), actor=None)
        c.bad = c.loan(method="bullet", months=12, disbursed=dt.date(2025, 1, 10), principal=3_000_000)
        yield c


SERVICING_WRITES = {
    "repayment": lambda c, on: svc.repayment_post(loan=c.bad, amount=10_000, on=on, actor=c.officer),
    "settlement": lambda c, on: svc.settlement_post(loan=c.bad, on=on, actor=c.officer),
    "extension": lambda c, on: svc.loan_extend(loan=c.bad, on=on, extra_months=3, decision="同意", actor=c.officer),
    "renewal": lambda c, on: svc.loan_renew(loan=c.bad, on=on, new_term_months=12, actor=c.officer),
    "write_off": lambda c, on: svc.loan_write_off(loan=c.bad, on=on, reason="死亡", actor=c.officer),
}
FUND_WRITES = {
    "deposit": lambda c, on: ledger.fund_deposit(account=c.account, amount=100, on=on, actor=None),
    "interest": lambda c, on: ledger.fund_interest(account=c.account, amount=100, on=on, actor=None),
    "transfer_out": lambda c, on: ledger.fund_transfer_out(account=c.account, amount=100, on=on, actor=None),
    "claim_file": lambda c, on: claims.claim_file(loan=c.bad, cause="death", collection_note="已催收", actor=c.officer,
                                                  on=on),
}


@pytest.mark.parametrize("write", sorted(SERVICING_WRITES))
def test_every_servicing_write_refuses_a_future_date(county, write):
    with pinned_business_date(dt.date(2026, 6, 1)):
        events = LoanEvent.objects.count()
        with pytest.raises(svc.ServicingError) as exc:
            SERVICING_WRITES[write](county, dt.date(2026, 6, 2))
        assert exc.value.field == "on" and "晚于当前业务日期" in exc.value.message
        assert LoanEvent.objects.count() == events


@pytest.mark.parametrize("write", sorted(FUND_WRITES))
def test_every_fund_write_refuses_a_future_date(county, write):
    with pinned_business_date(dt.date(2026, 6, 1)):
        with pytest.raises((ledger.LedgerError, claims.ClaimError)) as exc:
            FUND_WRITES[write](county, dt.date(2026, 6, 2))
        assert exc.value.field == "on" and "晚于当前业务日期" in exc.value.message


def test_fund_entry_before_the_account_was_opened_is_refused(county):
    with pinned_business_date(dt.date(2026, 6, 1)):
        with pytest.raises(ledger.LedgerError, match="早于专户开户日期 2024-01-01"):
            ledger.fund_deposit(account=county.account, amount=100, on=dt.date(2023, 12, 31), actor=None)


def _paid_claim(c, filed=dt.date(2026, 5, 1)):
    claim = claims.claim_file(loan=c.bad, cause="death", collection_note="已催收", actor=c.officer, on=filed)
    claims.claim_transition(claim=claim, action="notice", actor=c.county_user, on=filed)
    for verifier in (c.county_user, c.finance, c.pboc):  # each its own opinion (DOMAIN §7)
        claims.claim_transition(claim=claim, action="verify", actor=verifier, on=filed + dt.timedelta(days=7),
                                opinion="核实")
    leader = make_user("county_office", [c.county_user.scope_regions[0]])  # four eyes: not the verifier
    claims.claim_transition(claim=claim, action="approve", actor=leader, on=filed + dt.timedelta(days=7))
    return claim


def test_claim_payout_and_recovery_refuse_a_future_date(county):
    with pinned_business_date(dt.date(2026, 6, 1)):
        claim = _paid_claim(county)
        with pytest.raises(claims.ClaimError, match="晚于当前业务日期"):
            claims.claim_transition(claim=claim, action="pay", actor=county.finance, on=dt.date(2026, 6, 2))
        balance = ledger.balance(county.account)
        claims.claim_transition(claim=claim, action="pay", actor=county.finance, on=dt.date(2026, 6, 1))
        assert ledger.balance(county.account) < balance
        with pytest.raises(claims.ClaimError, match="晚于当前业务日期"):
            claims.claim_recovery(claim=claim, amount=1000, actor=county.officer, on=dt.date(2026, 6, 2))
        with pytest.raises(claims.ClaimError, match="早于申报日期"):
            claims.claim_recovery(claim=claim, amount=1000, actor=county.officer, on=dt.date(2026, 4, 30))


def test_forms_refuse_a_future_date_at_the_field():
    with pinned_business_date(TODAY):
        form = RepaymentForm({"amount": "100.00", "on": "2027-03-01"})
        assert not form.is_valid() and "晚于当前业务日期" in form.errors["on"][0]
        form = EntryForm({"kind": "deposit", "amount": "100.00", "on": "2026-03-11"})
        assert not form.is_valid() and "on" in form.errors
        assert RepaymentForm({"amount": "100.00", "on": "2026-03-10"}).is_valid()


# ---------------------------------------------------------------- 2. account numbers

@pytest.mark.parametrize("account, message", [("abc", "只能是数字"), ("6230012345", "12–19 位"),
                                              ("6217000010001234568", "卡号校验位错误")])
def test_disbursement_to_a_bad_account_is_refused(world, account, message):
    tree, hh, bank, users = world
    app = walk(apply(hh, bank, users), users)
    with pytest.raises(services.DisbursementRefused) as exc:
        disburse(app, users, account_number=account)
    assert exc.value.field == "account_number" and message in exc.value.message
    assert not Loan.objects.exists()


def test_disbursement_stores_the_card_number_without_spaces(world):
    tree, hh, bank, users = world
    app = disburse(walk(apply(hh, bank, users), users), users, account_number="6217 0000 1000 1234 569")
    assert app.loan.account_number == CARD_NUMBER


def test_disburse_form_names_the_account_field():
    with pinned_business_date(TODAY):
        form = DisburseForm({"amount": "30000", "term_months": 36, "annual_rate": "3.00", "method": "bullet",
                             "disbursed_on": "2026-03-10", "account_number": "abc"})
        assert not form.is_valid() and form.errors["account_number"] == ["放款账户只能是数字（可含空格）"]


def test_api_disbursement_with_future_date_or_bad_account_is_a_4xx_naming_the_field(client, world):
    tree, hh, bank, users = world
    app = walk(apply(hh, bank, users), users)
    client.force_login(users["bank"])
    url = f"/api/v1/origination/applications/{app.pk}/disburse"
    body = {"annual_rate": "3.00", "method": "bullet", "account_number": CARD_NUMBER}
    r = client.post(url, body | {"disbursed_on": "2027-03-01"}, content_type="application/json")
    assert 400 <= r.status_code < 500 and r.json()["field"] == "disbursed_on"
    r = client.post(url, body | {"account_number": "abc"}, content_type="application/json")
    assert 400 <= r.status_code < 500 and r.json()["field"] == "account_number"
    assert "只能是数字" in r.json()["detail"]
    assert not Loan.objects.exists()
    r = client.post(url, body, content_type="application/json")
    assert r.status_code == 200, r.content


def test_api_repayment_with_future_date_is_a_4xx_naming_the_field(client, county):
    client.force_login(county.officer)
    with pinned_business_date(dt.date(2026, 6, 1)):
        r = client.post(f"/api/v1/loans/{county.bad.pk}/repayments", {"amount": "10.00", "on": "2026-06-02"},
                        content_type="application/json")
    assert r.status_code == 422 and r.json()["field"] == "on"


# ---------------------------------------------------------------- 3. breakers and quota at every money step

def suspend(level, hh, bank, since=dt.date(2026, 3, 7)):
    if level == "bank":
        return Suspension.objects.create(level="bank", bank=bank, reason="银行不良率 3.4% 超过 3%", since=since)
    code = hh.region_code[:12] if level == "village" else hh.region_code[:9]
    return Suspension.objects.create(level=level, region_code=code, reason=f"{level} 不良率超过 5%", since=since)


LABELS = {"village": "所在村", "township": "所在乡镇", "bank": "贷款银行"}


@pytest.mark.parametrize("level", ["village", "township", "bank"])
def test_suspension_stops_the_bank_decision(world, level):
    tree, hh, bank, users = world
    app = walk(apply(hh, bank, users), users, until="bank_review")
    suspend(level, hh, bank)
    with pytest.raises(services.PolicyRefused) as exc:
        walk(app, users)
    assert [f.rule for f in exc.value.failures] == ["熔断"]
    assert LABELS[level] in exc.value.message and "自 2026-03-07 起" in exc.value.message
    app.refresh_from_db()
    assert app.state == "bank_review"


@pytest.mark.parametrize("level", ["village", "township", "bank"])
def test_suspension_stops_the_disbursement(world, level):
    tree, hh, bank, users = world
    app = walk(apply(hh, bank, users), users)
    suspend(level, hh, bank)
    with pytest.raises(services.PolicyRefused) as exc:
        disburse(app, users)
    assert LABELS[level] in exc.value.message and "暂停新增贷款" in exc.value.message
    assert not Loan.objects.exists()
    app.refresh_from_db()
    assert app.state == "approved"


def test_a_lifted_suspension_no_longer_stops_the_disbursement(world):
    tree, hh, bank, users = world
    app = walk(apply(hh, bank, users), users)
    s = suspend("village", hh, bank)
    s.lifted_on = TODAY
    s.save()
    assert disburse(app, users).state == "disbursed"


def test_quota_exceeded_stops_the_disbursement_with_the_figures(world):
    tree, hh, bank, users = world
    app = walk(apply(hh, bank, users), users)
    account = FundAccount.objects.create(county_code="411224", bank=bank, name="卢氏县风险补偿金",
                                         opened_on=dt.date(2026, 1, 1))
    ledger.fund_deposit(account=account, amount=200_000, on=dt.date(2026, 1, 5), actor=None)  # 2,000 元 × 10
    with pytest.raises(services.PolicyRefused) as exc:
        disburse(app, users)
    assert [f.rule for f in exc.value.failures] == ["风险补偿金"]
    assert "额度 20000.00 元" in exc.value.message and "本笔 30000.00 元" in exc.value.message
    assert not Loan.objects.exists()
    ledger.fund_deposit(account=account, amount=100_000, on=TODAY, actor=None)  # 3,000 元 × 10 = the loan
    assert disburse(app, users).state == "disbursed"


def test_quota_exceeded_stops_the_bank_decision(world):
    tree, hh, bank, users = world
    app = walk(apply(hh, bank, users), users, until="bank_review")
    account = FundAccount.objects.create(county_code="411224", bank=bank, name="卢氏县风险补偿金",
                                         opened_on=dt.date(2026, 1, 1))
    ledger.fund_deposit(account=account, amount=200_000, on=dt.date(2026, 1, 5), actor=None)
    with pytest.raises(services.PolicyRefused, match="风险补偿金"):
        walk(app, users)


# ---------------------------------------------------------------- 4. one 在贷 loan per household

def test_second_active_loan_is_refused_at_disbursement(world):
    tree, hh, bank, users = world
    app = walk(apply(hh, bank, users), users)
    # a loan opened for the household after the application was checked (another channel, a renewal …)
    loan_open(household=hh, borrower=hh.members.first(), bank=bank, principal=1_000_000, annual_rate=Decimal("3.00"),
              cap_rate=Decimal("3.45"), disbursed_on=DAY, term_months=12, method="bullet", policy_era="2021",
              actor=users["bank"])
    with pytest.raises(services.PolicyRefused) as exc:
        disburse(app, users)
    assert [f.rule for f in exc.value.failures] == ["在贷余额"]
    assert Loan.objects.filter(household=hh).count() == 1


def test_loan_open_refuses_a_second_active_loan_cleanly(world):
    tree, hh, bank, users = world
    args = dict(household=hh, borrower=hh.members.first(), bank=bank, principal=1_000_000,
                annual_rate=Decimal("3.00"), cap_rate=Decimal("3.45"), disbursed_on=DAY, term_months=12,
                method="bullet", policy_era="2021", actor=users["bank"])
    loan_open(**args)
    with pytest.raises(LoanRefused) as exc:
        loan_open(**args)
    assert exc.value.field == "household" and "在贷" in exc.value.message


def test_the_database_constraint_is_reported_as_a_domain_error(world):
    """What a race past the check meets: the partial unique index, reported cleanly."""
    tree, hh, bank, users = world
    args = dict(household=hh, borrower=hh.members.first(), bank=bank, principal=1_000_000,
                annual_rate=Decimal("3.00"), cap_rate=Decimal("3.45"), disbursed_on=DAY, term_months=12,
                method="bullet", policy_era="2021", actor=users["bank"])
    first = loan_open(**args)
    Loan.objects.filter(pk=first.pk).update(status=LoanStatus.SETTLED)
    second = loan_open(**args)
    with pytest.raises(LoanRefused, match="在贷"):
        with one_active_guard(hh, exclude=first):
            Loan.objects.filter(pk=first.pk).update(status=LoanStatus.ACTIVE)
    assert Loan.objects.get(pk=first.pk).status == LoanStatus.SETTLED  # the savepoint rolled back
    assert Loan.objects.get(pk=second.pk).status == LoanStatus.ACTIVE


def test_reversing_a_write_off_while_another_loan_is_active_is_a_clean_refusal(county):
    with pinned_business_date(dt.date(2026, 6, 1)):
        event = svc.loan_write_off(loan=county.bad, on=dt.date(2026, 5, 1), reason="死亡", actor=county.officer)
        other = county.loan(household=county.bad.household, disbursed=dt.date(2026, 5, 20), months=12, method="bullet")
        with pytest.raises(svc.ServicingError) as exc:
            svc.event_reverse(event=event, actor=county.officer, reason="核销有误")
        assert exc.value.field == "event" and "在贷" in exc.value.message
    assert Loan.objects.get(pk=county.bad.pk).status == LoanStatus.WRITTEN_OFF
    assert Loan.objects.get(pk=other.pk).status == LoanStatus.ACTIVE
    assert not LoanEvent.objects.filter(loan=county.bad, kind="reversal").exists()


def test_reversing_a_settlement_while_another_loan_is_active_is_a_clean_refusal(county):
    with pinned_business_date(dt.date(2026, 6, 1)):
        event = svc.settlement_post(loan=county.bad, on=dt.date(2026, 5, 1), actor=county.officer)
        county.loan(household=county.bad.household, disbursed=dt.date(2026, 5, 20), months=12, method="bullet")
        with pytest.raises(svc.ServicingError, match="在贷"):
            svc.event_reverse(event=event, actor=county.officer, reason="结清有误")
    assert Loan.objects.get(pk=county.bad.pk).status == LoanStatus.SETTLED
