"""Legacy 分贷统还 projects (issue #12 §10, DOMAIN §4): the register, the staged release, the households'
payouts under the link agreement, a late payout raising exactly one problem case over repeated closes;
scope and hostile input on the pages and the API."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.loans.services import loan_open
from microcredit.apps.monitoring.close import run_close
from microcredit.apps.problems.models import Case
from microcredit.apps.projects import selectors, services
from microcredit.apps.projects.models import Payout
from microcredit.domain.access import BANK, COUNTY, FINANCE, TOWNSHIP, VILLAGE
from tests.factories import make_bank, make_household, make_region_tree, make_user

pytestmark = pytest.mark.django_db
START = dt.date(2018, 5, 10)
DAY = dt.date(2019, 7, 1)
PDF = b"%PDF-1.4 progress\n"


def _loan(tree, bank, officer, village=0, principal=5_000_000, usage_mode="legacy_pooled"):
    hh = make_household(tree.villages[village])
    return loan_open(household=hh, borrower=hh.members.first(), bank=bank, principal=principal,
                     annual_rate=Decimal("4.75"), cap_rate=Decimal("4.75"), disbursed_on=START, term_months=36,
                     method="interest_quarterly", policy_era="2014", actor=officer, usage_mode=usage_mode)


@pytest.fixture
def world():
    with pinned_business_date(DAY):
        tree = make_region_tree()
        bank = make_bank()
        w = type("W", (), {})()
        w.tree, w.bank = tree, bank
        w.county = make_user(COUNTY, [tree.county.prefix])
        w.township = make_user(TOWNSHIP, [tree.townships[0].prefix])
        w.other_township = make_user(TOWNSHIP, [tree.townships[1].prefix])
        w.village = make_user(VILLAGE, [tree.villages[0].prefix])
        w.finance = make_user(FINANCE, [tree.county.prefix])
        w.officer = make_user(BANK, [tree.county.prefix], bank=bank)
        w.other_bank = make_user(BANK, [tree.county.prefix], bank=make_bank("YCB", "邮储银行"))
        w.loans = [_loan(tree, bank, w.officer), _loan(tree, bank, w.officer, village=1, principal=3_000_000)]
        w.project = services.project_create(
            name="城关镇食用菌产业园", enterprise_name="卢氏县香菇专业合作社", enterprise_kind="cooperative",
            region_code=tree.townships[0].code, bank=bank, agreement_on=START, grade="good", white_listed=True,
            account_number="6228480012345678", party_government="县乡村振兴局", party_bank="农商银行",
            party_enterprise="香菇专业合作社", actor=w.county)
        w.members = [services.participant_add(project=w.project, household=loan.household, loan=loan, actor=w.county)
                     for loan in w.loans]
        yield w


def test_register_schedules_three_payouts_of_ten_percent(world):
    w = world
    payouts = list(selectors.project_payouts(w.project))
    assert len(payouts) == 6
    first = [p for p in payouts if p.participant == w.members[0]]
    assert [(p.year, p.due_on, p.minimum) for p in first] == [
        (1, dt.date(2019, 5, 10), 500_000), (2, dt.date(2020, 5, 10), 500_000), (3, dt.date(2021, 5, 10), 500_000)]
    assert selectors.loans_amount(w.project) == 8_000_000
    assert w.project.number.startswith("FD411224")


def test_only_a_legacy_loan_of_the_household_and_bank_joins(world):
    w = world
    with pinned_business_date(DAY):
        own = _loan(w.tree, w.bank, w.officer, usage_mode="self")
        with pytest.raises(services.ProjectError, match="分贷统还"):
            services.participant_add(project=w.project, household=own.household, loan=own, actor=w.county)
        with pytest.raises(services.ProjectError, match="已在本项目中"):
            services.participant_add(project=w.project, household=w.loans[0].household, loan=w.loans[0], actor=w.county)
        other = _loan(w.tree, w.bank, w.officer)
        with pytest.raises(services.ProjectError, match="贷款份额"):
            services.participant_add(project=w.project, household=other.household, loan=other, share=6_000_000,
                                     actor=w.county)


def test_stages_released_only_with_progress_within_the_loans(world):
    w = world
    with pinned_business_date(DAY):
        s1 = services.stage_add(project=w.project, planned_amount=5_000_000, actor=w.county)
        with pytest.raises(services.ProjectError, match="超过项目贷款金额"):
            services.stage_add(project=w.project, planned_amount=3_000_001, actor=w.county)
        s2 = services.stage_add(project=w.project, planned_amount=3_000_000, actor=w.county)
        with pytest.raises(services.ProjectError) as exc:
            services.stage_release(stage=s1, amount=5_000_000, released_on=DAY, progress_note="", actor=w.county)
        assert exc.value.field == "progress_note"
        with pytest.raises(services.ProjectError, match="进度佐证"):
            services.stage_release(stage=s1, amount=5_000_000, released_on=DAY, progress_note="菇棚完工", actor=w.county)
        services.stage_release(stage=s1, amount=5_000_000, released_on=DAY, progress_note="菇棚完工", actor=w.county,
                               progress_document=SimpleUploadedFile("p.pdf", PDF))
        with pytest.raises(services.ProjectError, match="超过本期计划"):
            services.stage_release(stage=s2, amount=3_000_001, released_on=DAY, progress_note="设备到位",
                                   actor=w.county, progress_document=SimpleUploadedFile("p.pdf", PDF))
        with pytest.raises(services.ProjectError, match="PDF"):
            services.stage_release(stage=s2, amount=1, released_on=DAY, progress_note="设备到位", actor=w.county,
                                   progress_document=SimpleUploadedFile("p.exe", b"MZ\x90"))
    assert sum(s.released_amount for s in selectors.project_stages(w.project)) == 5_000_000


def test_a_late_payout_raises_exactly_one_case_over_repeated_closes(world):
    w = world
    with pinned_business_date(DAY):
        first = w.members[0].payouts.get(year=1)
        services.payout_record(payout=first, amount=500_000, paid_on=dt.date(2019, 5, 20), actor=w.county)
    grace_end = dt.date(2019, 5, 10) + dt.timedelta(days=30)
    assert services.late_payouts_check(grace_end) == 0  # on the last day of grace: not yet late
    assert services.late_payouts_check(grace_end + dt.timedelta(days=1)) == 1  # the second household's
    for k in range(2, 6):
        services.late_payouts_check(grace_end + dt.timedelta(days=k))
    cases = Case.objects.filter(source="project")
    assert cases.count() == 1
    case = cases.get()
    late = Payout.objects.get(participant=w.members[1], year=1)
    assert (case.dedupe_key, case.household_id, case.state) == (f"project-payout:{late.pk}", w.loans[1].household_id,
                                                                "opened")
    assert late.case_id == case.pk and late.late_flagged_on == grace_end + dt.timedelta(days=1)
    assert case.region_code == w.loans[1].household.region_code and case.bank == w.bank


def test_the_close_runs_the_check(world):
    w = world
    day = dt.date(2019, 6, 20)
    with pinned_business_date(day):
        run_close(day)
        run_close(day)
    assert Case.objects.filter(source="project").count() == 2
    assert not Case.objects.filter(source="project", household_id=None).exists()
    assert w.project.pk


def test_payout_refusals(world):
    w = world
    with pinned_business_date(DAY):
        p = w.members[0].payouts.get(year=1)
        with pytest.raises(services.ProjectError) as exc:
            services.payout_record(payout=p, amount=499_999, paid_on=DAY + dt.timedelta(days=1), actor=w.county)
        assert exc.value.field == "amount"
        services.payout_record(payout=p, amount=600_000, paid_on=DAY, actor=w.county)
        with pytest.raises(services.ConflictError):
            services.payout_record(payout=p, amount=600_000, paid_on=DAY, actor=w.county)


def test_scope(world):
    w = world
    assert list(selectors.project_list(user=w.county)) == [w.project]
    assert list(selectors.project_list(user=w.township)) == [w.project]
    assert list(selectors.project_list(user=w.officer)) == [w.project]
    assert not selectors.project_list(user=w.other_township).exists()
    assert not selectors.project_list(user=w.other_bank).exists()


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_pages(world):
    w = world
    with pinned_business_date(DAY):
        c = _client(w.county)
        r = c.get("/projects/?grade=good&white=1&q=食用菌")
        assert r.status_code == 200 and w.project.number in r.content.decode()
        assert c.get("/projects/?grade=<x>").status_code == 400
        assert c.get("/projects/?q=" + "y" * 200).status_code == 400
        r = c.get(f"/projects/{w.project.pk}/")
        assert r.status_code == 200 and "带动分红" in r.content.decode()
        assert _client(w.other_township).get(f"/projects/{w.project.pk}/").status_code == 404
        assert _client(w.village).get("/projects/").status_code == 403
        assert _client(w.finance).get(f"/projects/{w.project.pk}/").status_code == 200
        p = w.members[0].payouts.get(year=1)
        r = c.post(f"/projects/{w.project.pk}/", {"form": "payout", "payout-payout": p.pk, "payout-amount": "5000.00",
                                                  "payout-paid_on": "2019-06-01"})
        assert r.status_code == 302
        p.refresh_from_db()
        assert (p.paid_amount, p.paid_on) == (500_000, dt.date(2019, 6, 1))
        r = c.post(f"/projects/{w.project.pk}/", {"form": "payout", "payout-payout": "999999",
                                                  "payout-amount": "abc", "payout-paid_on": "2019-99-01"})
        assert r.status_code == 200
        r = c.post(f"/projects/{w.project.pk}/", {"form": "stage", "stage-planned_amount": "80000.01"})
        assert r.status_code == 200 and "超过项目贷款金额" in r.content.decode()
        r = c.post(f"/projects/{w.project.pk}/", {"form": "grade", "grade-grade": "poor", "grade-reason": "经营下滑"})
        assert r.status_code == 302
        w.project.refresh_from_db()
        assert (w.project.grade, w.project.white_listed) == ("poor", False)
        # a viewer without the manage permission cannot post
        _client(w.finance).post(f"/projects/{w.project.pk}/", {"form": "grade", "grade-grade": "good"})
        w.project.refresh_from_db()
        assert w.project.grade == "poor"


def test_api(world):
    w = world
    with pinned_business_date(DAY):
        c = _client(w.county)
        r = c.get("/api/v1/projects")
        assert r.status_code == 200 and r.json()[0]["loans_amount"] == "80000.00"
        assert c.get("/api/v1/projects?grade=bad").status_code == 422
        r = c.get(f"/api/v1/projects/{w.project.pk}")
        body = r.json()
        assert r.status_code == 200 and len(body["participants"]) == 2
        pid = body["participants"][0]["payouts"][0]["id"]
        assert body["participants"][0]["payouts"][0]["minimum"] == "5000.00"
        post = lambda user, data: _client(user).post(f"/api/v1/projects/{w.project.pk}/payouts", json.dumps(data),
                                                     content_type="application/json")
        assert post(w.county, {"payout_id": pid, "amount": "4999.99", "paid_on": "2019-06-01"}).status_code == 422
        assert post(w.county, {"payout_id": pid, "amount": "5000.001", "paid_on": "2019-06-01"}).status_code == 422
        assert post(w.county, {"payout_id": pid, "amount": "5000", "paid_on": "2019-13-01"}).status_code == 422
        assert post(w.county, {"payout_id": 10**12, "amount": "5000", "paid_on": "2019-06-01"}).status_code == 404
        assert post(w.finance, {"payout_id": pid, "amount": "5000", "paid_on": "2019-06-01"}).status_code == 403
        assert post(w.other_township, {"payout_id": pid, "amount": "5000", "paid_on": "2019-06-01"}).status_code == 404
        r = post(w.county, {"payout_id": pid, "amount": "5000", "paid_on": "2019-06-01"})
        assert r.status_code == 200 and r.json()["participants"][0]["payouts"][0]["paid_amount"] == "5000.00"
        assert post(w.county, {"payout_id": pid, "amount": "5000", "paid_on": "2019-06-01"}).status_code == 409
        assert _client(w.other_bank).get(f"/api/v1/projects/{w.project.pk}").status_code == 404
        assert _client(w.village).get("/api/v1/projects").status_code == 403
