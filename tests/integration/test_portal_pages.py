"""The household portal's pages, apply flow and data API (issue #14 §2, §3, §4): each page shows the
household's own figures (the loans app's), never another household's; an application becomes a draft in the
village clerk's to-do list; hostile input answers in Chinese, never a 500."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client

from microcredit.apps.accounts.models import User
from microcredit.apps.accounts.tokens import issue_token
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.core.todo import todo_for
from microcredit.apps.loans.selectors import (
    loan_current_state,
    loan_schedule,
    settlement_quote_for,
)
from microcredit.apps.loans.services import loan_open
from microcredit.apps.origination.models import LoanApplication
from microcredit.apps.rating.models import Honour, Rating, RatingStatus
from microcredit.apps.rating.selectors import scorecard_for
from microcredit.apps.reference.models import Branch
from microcredit.apps.reminders.models import Reminder
from microcredit.batch.basis import next_due_date
from microcredit.domain.money import fen_to_yuan
from tests.factories import (
    make_bank,
    make_household,
    make_region_tree,
    make_user,
    next_id_number,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def today():
    with pinned_business_date(TODAY):
        yield TODAY


def rate(hh, grade="AAA", limit=4_000_000):
    return Rating.objects.create(household=hh, region_code=hh.region_code, scorecard=scorecard_for("411224", "x"),
                                 grade=grade, credit_limit=limit, status=RatingStatus.EFFECTIVE,
                                 valid_from=TODAY - dt.timedelta(days=30), valid_until=dt.date(2029, 10, 21))


def portal_user(hh, name):
    user = User(role="household", household=hh, username=f"hh-{name}")
    user.set_unusable_password()
    user.save()
    return user


def open_loan(hh, bank, officer, *, disbursed=dt.date(2026, 6, 15), principal=3_000_000):
    return loan_open(household=hh, borrower=hh.members.first(), bank=bank, principal=principal,
                     annual_rate=Decimal("3.45"), cap_rate=Decimal("3.45"), disbursed_on=disbursed, term_months=36,
                     method="interest_quarterly", policy_era="2021", actor=officer)


@pytest.fixture
def world(today):
    tree = make_region_tree()
    village = tree.villages[0]
    bank = make_bank()
    Branch.objects.create(bank=bank, name="城关支行", region=tree.townships[0])
    other_bank = make_bank("FAR", "外县银行")
    officer = make_user("bank_officer", [tree.county.prefix], bank=bank, last_name="王", first_name="经理",
                        phone="13900000001")
    clerk = make_user("village_station", [village.prefix], last_name="李", first_name="文书", phone="13900000002")
    other_clerk = make_user("village_station", [tree.villages[1].prefix], last_name="赵", first_name="别村",
                            phone="13900000003")
    hh = make_household(village, members=1, head_id_number=next_id_number(born=dt.date(1980, 5, 1)))
    rate(hh)
    Honour.objects.create(household=hh, kind="integrity", granted_on=dt.date(2025, 1, 1))
    other = make_household(village, members=1, head_id_number=next_id_number(born=dt.date(1982, 5, 1)))
    rate(other)
    loan = open_loan(hh, bank, officer)
    other_loan = open_loan(other, bank, officer, principal=2_000_000)
    client = Client()
    client.force_login(portal_user(hh, "mine"))
    return {"tree": tree, "hh": hh, "other": other, "loan": loan, "other_loan": other_loan, "bank": bank,
            "other_bank": other_bank, "officer": officer, "clerk": clerk, "other_clerk": other_clerk,
            "client": client}


def text(response) -> str:
    return response.content.decode()


# --- pages ---------------------------------------------------------------------------------------------------

def test_home_shows_grade_limit_validity_and_how_to_raise_it(world):
    r = world["client"].get("/portal/")
    assert r.status_code == 200
    body = text(r)
    assert "AAA" in body and "40000.00" in body and "2029-10-21" in body
    assert "诚信户" in body and "标兵户" in body and "信用村" in body  # honours and the credit village
    assert world["hh"].head_name in body and world["other"].head_name not in body


def test_loan_page_next_due_equals_the_loans_apps_schedule_and_state(world):
    loan = world["loan"]
    state = loan_current_state(loan, TODAY)
    due = next_due_date(state)
    inst = next(i for i in loan_schedule(loan).installments if i.due_date == due)  # nothing paid yet
    assert due == dt.date(2026, 12, 21)
    r = world["client"].get(f"/portal/loans/{loan.pk}/")
    assert r.status_code == 200
    body = text(r)
    assert f'<span id="next-due-date">{due:%Y-%m-%d}</span>' in body
    expected = fen_to_yuan(inst.principal + inst.interest)
    assert f'<span id="next-due-amount">{expected} 元</span>' in body
    # Days overdue (the 09-21 interest is unpaid) and what to do, with whom to call.
    assert state.days_past_due > 0 and f"已逾期 {state.days_past_due} 天" in body
    assert "13900000002" in body and "13900000001" in body and "13900000003" not in body
    assert "先收后补" in body and 'id="schedule"' in body
    listing = text(world["client"].get("/portal/loans/"))
    assert expected in listing and world["other_loan"].number not in listing


def test_api_me_next_due_equals_the_page_and_the_state(world):
    loan = world["loan"]
    state = loan_current_state(loan, TODAY)
    inst = next(s for s in state.installments if s.due_date == next_due_date(state))
    r = world["client"].get("/api/v1/portal/me")
    assert r.status_code == 200, r.content
    me = r.json()
    assert me["household"] == {"name": world["hh"].head_name, "village": world["tree"].villages[0].name}
    assert me["rating"]["grade"] == "AAA" and me["rating"]["credit_limit"] == "40000.00"
    assert [x["number"] for x in me["loans"]] == [loan.number]
    row = me["loans"][0]
    assert row["next_due_date"] == "2026-12-21"
    assert row["next_due_amount"] == fen_to_yuan(inst.principal_unpaid + inst.interest_unpaid)
    assert row["days_overdue"] == state.days_past_due and row["paid_so_far"] == "0.00"


def test_quote_is_the_loans_apps_settlement_quote(world):
    loan = world["loan"]
    q = settlement_quote_for(loan, TODAY)
    r = world["client"].get(f"/portal/loans/{loan.pk}/quote/")
    assert r.status_code == 200
    assert f'<span class="big" id="quote-total">{fen_to_yuan(q.total)} 元</span>' in text(r)


def test_reminders_page_lists_only_the_households_reminders(world):
    def remind(loan, words):
        Reminder.objects.create(loan=loan, household=loan.household, region_code=loan.region_code, bank=loan.bank,
                                kind="before", due_date=dt.date(2026, 12, 21), amount=25_000, created_on=TODAY,
                                to="13800000000", text=words, send_after=dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC))
    remind(world["loan"], "您家贷款12月21日应还")
    remind(world["other_loan"], "别人家的提醒")
    body = text(world["client"].get("/portal/reminders/"))
    assert "您家贷款12月21日应还" in body and "别人家的提醒" not in body


def test_policy_page_names_the_clerk_and_the_bank_officer_and_the_eras_terms(world):
    body = text(world["client"].get("/portal/policy/"))
    assert "李文书" in body and "13900000002" in body
    assert "王经理" in body and "13900000001" in body
    assert "赵别村" not in body  # another village's clerk
    assert "谁可以贷" in body and "怎样还款" in body


def test_another_households_loan_is_404_by_url(world):
    other = world["other_loan"].pk
    for url in (f"/portal/loans/{other}/", f"/portal/loans/{other}/quote/", "/portal/loans/999999/"):
        assert world["client"].get(url).status_code == 404


def test_pages_need_a_household_user(world):
    anonymous = Client()
    assert anonymous.get("/portal/loans/").status_code == 302
    staff = Client()
    staff.force_login(world["clerk"])
    assert staff.get("/portal/loans/").status_code == 403
    assert staff.get("/api/v1/portal/me").status_code == 403


def test_service_worker_is_served_with_its_scope(world):
    r = Client().get("/portal/sw.js")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/javascript") and r["Service-Worker-Allowed"] == "/portal/"
    assert b"caches" in r.content
    assert "portal/register-sw.js" in text(world["client"].get("/portal/"))


# --- apply ---------------------------------------------------------------------------------------------------

@pytest.fixture
def applicant(world):
    """A household without a loan (one policy loan at a time), rated, signed in."""
    hh = make_household(world["tree"].villages[0], members=1, head_id_number=next_id_number(born=dt.date(1985, 1, 1)))
    rate(hh)
    client = Client()
    client.force_login(portal_user(hh, "applicant"))
    return hh, client


FORM = {"industry": "养殖", "purpose": "养殖肉牛5头", "amount": "30000", "term_months": "36"}


def test_apply_creates_a_draft_of_its_own_household_in_the_village_clerks_todo(world, applicant):
    hh, client = applicant
    r = client.post("/portal/apply/", FORM | {"bank": world["bank"].pk, "borrower": hh.members.get(relation="head").pk})
    assert r.status_code == 302, text(r)
    app = LoanApplication.objects.get()
    assert app.household == hh and app.state == "draft" and app.amount == 3_000_000 and app.bank == world["bank"]
    assert app.created_by.household_id == hh.pk
    titles = [i.title for i in todo_for(world["clerk"]).items]
    assert any(app.number in t for t in titles)
    assert not any(app.number in t for t in (i.title for i in todo_for(world["other_clerk"]).items))
    progress = text(client.get("/portal/applications/"))
    assert app.number in progress and "户申请（待提交）" in progress and "draft" not in progress
    # The clerk submits it (村初审 next): the household follows the step by its label.
    from microcredit.apps.origination.services import application_transition
    application_transition(application=app, action="submit", actor=world["clerk"])
    assert "村初审" in text(client.get("/portal/applications/"))
    api = client.get("/api/v1/portal/applications").json()
    assert [a["number"] for a in api] == [app.number] and api[0]["steps"][0]["action_label"] == "提交"


def test_apply_shows_every_policy_failure_at_once_in_chinese(world):
    # The household with a loan outstanding asks for more than its limit.
    r = world["client"].post("/portal/apply/", FORM | {"amount": "90000", "bank": world["bank"].pk,
                                                       "borrower": world["hh"].members.get(relation="head").pk})
    assert r.status_code == 422
    body = text(r)
    assert 'id="failures"' in body and body.count("<li>", body.index('id="failures"')) >= 2
    assert "授信额度" in body and "在贷" in body
    assert not LoanApplication.objects.exists()


@pytest.mark.parametrize("field,value", [
    ("amount", "-5"), ("amount", "1e99"), ("amount", "99999999999999999999"), ("amount", "abc"), ("amount", ""),
    ("term_months", "0"), ("term_months", "9999"), ("term_months", "abc"), ("term_months", "-1"),
    ("purpose", "养" * 300), ("purpose", "养牛\x00"), ("industry", "赌博"), ("project_description", "x" * 5000),
])
def test_hostile_apply_form_is_a_chinese_422(world, applicant, field, value):
    hh, client = applicant
    data = FORM | {"bank": world["bank"].pk, "borrower": hh.members.first().pk, field: value}
    r = client.post("/portal/apply/", data)
    assert r.status_code == 422
    assert f'id="id_{field}_error"' in text(r)  # core/form.html: the one way a form shows its errors
    assert not LoanApplication.objects.exists()


def test_apply_form_refuses_another_households_member_and_another_countys_bank(world, applicant):
    hh, client = applicant
    base = FORM | {"bank": world["bank"].pk, "borrower": hh.members.first().pk}
    r = client.post("/portal/apply/", base | {"borrower": world["other"].members.first().pk})
    assert r.status_code == 422 and "本户家庭成员" in text(r)
    r = client.post("/portal/apply/", base | {"bank": world["other_bank"].pk})
    assert r.status_code == 422 and "本县的合作银行" in text(r)
    assert not LoanApplication.objects.exists()


# --- API -----------------------------------------------------------------------------------------------------

def bearer(hh, name):
    raw, _token = issue_token(portal_user(hh, name))
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_answers_only_the_tokens_household(world, applicant):
    hh, _client = applicant
    auth = bearer(world["other"], "other-token")
    me = Client().get("/api/v1/portal/me", **auth).json()
    assert me["household"]["name"] == world["other"].head_name
    assert [x["number"] for x in me["loans"]] == [world["other_loan"].number]
    # A parameter naming another household or loan changes nothing.
    again = Client().get(f"/api/v1/portal/me?household_id={world['hh'].pk}&loan={world['loan'].pk}", **auth).json()
    assert again == me
    # An application posted with another household's id in the body is the token's household's.
    r = Client().post("/api/v1/portal/applications", json.dumps({
        "industry": "种植", "purpose": "种植香菇", "amount": "10000.00", "term_months": 24, "bank_code": "NSH",
        "household_id": hh.pk}), content_type="application/json", **bearer(hh, "applicant-token"))
    assert r.status_code == 201, r.content
    app = LoanApplication.objects.get()
    assert app.household == hh and r.json()["state_label"] == "户申请（待提交）"
    assert Client().get("/api/v1/portal/applications", **auth).json() == []
    # The household's token opens nothing outside the portal.
    assert Client().get("/api/v1/loans/loans", **auth).status_code in (401, 403, 404)


@pytest.mark.parametrize("change", [
    {"amount": "-5"}, {"amount": "1e99"}, {"amount": 1e30}, {"amount": -3}, {"amount": "abc"}, {"term_months": 0},
    {"term_months": 100000}, {"term_months": "abc"}, {"purpose": "养" * 300}, {"purpose": "牛\x00"},
    {"bank_code": "NOPE"}, {"bank_code": "FAR"}, {"borrower_id": 999999}, {"borrower_id": "x"}, {"industry": None},
])
def test_hostile_api_applications_are_chinese_4xx(world, applicant, change):
    _hh, client = applicant
    body = {"industry": "养殖", "purpose": "养殖肉牛5头", "amount": "30000.00", "term_months": 36, "bank_code": "NSH"}
    r = client.post("/api/v1/portal/applications", json.dumps(body | change), content_type="application/json")
    assert 400 <= r.status_code < 500, r.content
    detail = r.json()["detail"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail), detail
    assert not LoanApplication.objects.exists()


@pytest.mark.parametrize("raw", [b"not json", b"[1,2]", b"{" + b"x" * 10000, b"\xff\xfe"])
def test_api_applications_refuses_bodies_that_are_not_an_object(world, applicant, raw):
    _hh, client = applicant
    r = client.post("/api/v1/portal/applications", raw, content_type="application/json")
    assert r.status_code == 400
    assert "JSON" in r.json()["detail"] or "过长" in r.json()["detail"]


def test_api_policy_failures_are_all_listed(world):
    r = world["client"].post("/api/v1/portal/applications", json.dumps({
        "industry": "养殖", "purpose": "养殖肉牛5头", "amount": "90000.00", "term_months": 36, "bank_code": "NSH"}),
        content_type="application/json")
    assert r.status_code == 422
    rules = {f["rule"] for f in r.json()["failures"]}
    assert len(rules) >= 2


def test_a_huge_loan_id_in_the_url_is_404(world):
    assert world["client"].get("/portal/loans/99999999999999999999999/").status_code == 404
    assert world["client"].get("/portal/loans/99999999999999999999999/quote/").status_code == 404


def test_a_household_user_may_draft_only_for_its_own_household(world):
    from microcredit.apps.origination.services import WorkflowRefused, application_create

    user = User.objects.get(username="hh-mine")
    other = world["other"]
    with pytest.raises(WorkflowRefused, match="管辖范围"):
        application_create(household=other, borrower=other.members.first(), bank=world["bank"], amount=1_000_000,
                           term_months=12, industry="养殖", purpose="养羊", actor=user)
    assert not LoanApplication.objects.exists()


def test_direct_subsidy_loan_shows_the_households_share(today):
    tree = make_region_tree()
    bank = make_bank()
    officer = make_user("bank_officer", [tree.county.prefix], bank=bank)
    hh = make_household(tree.villages[0])
    loan = loan_open(household=hh, borrower=hh.members.first(), bank=bank, principal=3_000_000,
                     annual_rate=Decimal("3.45"), cap_rate=Decimal("3.45"), disbursed_on=dt.date(2026, 6, 15),
                     term_months=36, method="interest_quarterly", policy_era="2021", actor=officer,
                     subsidy_mode="direct", subsidy_ratio=Decimal("0.5"))
    client = Client()
    client.force_login(portal_user(hh, "direct"))
    body = text(client.get(f"/portal/loans/{loan.pk}/"))
    assert "直接贴付" in body and 'id="household-amount"' in body and "您承担利息" in body
    row = client.get("/api/v1/portal/me").json()["loans"][0]
    assert Decimal(row["next_due_household_amount"]) < Decimal(row["next_due_amount"])
