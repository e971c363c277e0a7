"""Registering a legacy 分贷统还 project and adding its households by their loans (issue #12 §10, DOMAIN §4),
on the pages (through core/form.html) and the API: the payouts scheduled as the service does, and the refusals
— a loan of another bank, a duplicate, over-long text, a negative share, another county's user — never a 500."""

from __future__ import annotations

import json

import pytest

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.projects.models import Participant, Project
from microcredit.domain.access import COUNTY
from tests.factories import make_user
from tests.integration.test_projects import DAY, _client, _loan, world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

FORM = {"name": "东明镇中药材种植基地", "enterprise_name": "卢氏县连翘种植有限公司", "enterprise_kind": "enterprise",
        "grade": "poor", "white_listed": "on", "account_number": "6228480099990000",
        "party_government": "县乡村振兴局", "party_bank": "农商银行", "party_enterprise": "连翘种植有限公司",
        "agreement_on": "2018-06-01", "grace_days": "30", "note": ""}


def _api(user, path, body):
    return _client(user).post(path, json.dumps(body), content_type="application/json")


def test_register_a_project_on_the_page(world):  # noqa: F811
    w = world
    with pinned_business_date(DAY):
        c = _client(w.county)
        assert 'href="/projects/new/"' in c.get("/projects/").content.decode()
        assert 'href="/projects/new/"' not in _client(w.township).get("/projects/").content.decode()
        assert _client(w.township).get("/projects/new/").status_code == 403
        assert _client(w.officer).post("/projects/new/", {}).status_code == 403
        r = c.get("/projects/new/")
        assert r.status_code == 200 and "form-errors" not in r.content.decode()
        r = c.post("/projects/new/", {**FORM, "region_code": w.tree.townships[1].code, "bank": w.bank.pk})
        assert r.status_code == 302
        p = Project.objects.get(name=FORM["name"])
        assert r["Location"] == f"/projects/{p.pk}/"
        assert (p.grade, p.white_listed, p.bank_id, p.region_code) == ("poor", True, w.bank.pk, w.tree.townships[1].code)
        assert p.number.startswith("FD411224") and p.party_bank == "农商银行"


def test_register_page_refusals_name_the_field(world):  # noqa: F811
    w = world
    with pinned_business_date(DAY):
        c = _client(w.county)
        good = {**FORM, "region_code": w.tree.townships[0].code, "bank": w.bank.pk}
        for change, words in (({"name": "长" * 101}, "项目名称"), ({"party_bank": "长" * 101}, "共管方（银行）"),
                              ({"account_number": "62x"}, "三方共管账户"), ({"grade": "best"}, "分级"),
                              ({"agreement_on": "2019-07-02"}, "带动协议签订日"), ({"grace_days": "-1"}, "分红宽限天数"),
                              ({"region_code": "411225100000"}, "所属区划"), ({"bank": "999999"}, "合作银行"),
                              ({"name": "a\x00b"}, "项目名称"), ({"note": "x" * 2001}, "备注")):
            r = c.post("/projects/new/", {**good, **change})
            assert r.status_code == 200, change
            body = r.content.decode()
            assert "form-errors" in body and words in body, change
        # another county's clerk: the region of this county is not among its choices
        other = make_user(COUNTY, ["411225"])
        r = _client(other).post("/projects/new/", good)
        assert r.status_code == 200 and "所属区划" in r.content.decode()
        assert Project.objects.count() == 1


def test_add_a_household_by_its_loan_on_the_page(world):  # noqa: F811
    w = world
    with pinned_business_date(DAY):
        new = _loan(w.tree, w.bank, w.officer, principal=2_000_000)
        c = _client(w.county)
        url = f"/projects/{w.project.pk}/"
        assert "添加参与农户" in c.get(url).content.decode()
        assert "添加参与农户" not in _client(w.finance).get(url).content.decode()
        r = c.post(url, {"form": "participant", "participant-loan_number": new.number,
                         "participant-share": "15000.00"})
        assert r.status_code == 302
        m = Participant.objects.get(loan=new)
        assert m.household_id == new.household_id and m.share == 1_500_000
        assert [p.minimum for p in m.payouts.order_by("year")] == [150_000] * 3
        other_bank = _loan(w.tree, w.other_bank.bank, w.other_bank)
        self_used = _loan(w.tree, w.bank, w.officer, usage_mode="self")
        for post, words in (({"participant-loan_number": new.number}, "已在本项目中"),
                            ({"participant-loan_number": other_bank.number}, "合作银行"),
                            ({"participant-loan_number": self_used.number}, "分贷统还"),
                            ({"participant-loan_number": "NO-SUCH"}, "借据号"),
                            ({"participant-loan_number": "x" * 33}, "借据号"),
                            ({"participant-loan_number": w.loans[0].number, "participant-share": "-5"}, "贷款份额"),
                            ({"participant-loan_number": other_bank.number, "participant-share": "abc"}, "贷款份额")):
            r = c.post(url, {"form": "participant", **post})
            assert r.status_code == 200, post
            assert "form-errors" in r.content.decode() and words in r.content.decode(), post
        assert Participant.objects.filter(project=w.project).count() == 3
        # another county's clerk, and a manager-less viewer
        other = make_user(COUNTY, ["411225"])
        assert _client(other).post(url, {"form": "participant", "participant-loan_number": other_bank.number}
                                   ).status_code == 404
        r = _client(w.finance).post(url, {"form": "participant", "participant-loan_number": other_bank.number})
        assert r.status_code == 200 and not Participant.objects.filter(loan=other_bank).exists()


def test_register_and_add_through_the_api(world):  # noqa: F811
    w = world
    with pinned_business_date(DAY):
        body = {"name": "东明镇中药材种植基地", "enterprise_name": "连翘种植有限公司", "enterprise_kind": "cooperative",
                "region_code": w.tree.townships[1].code, "bank_code": w.bank.code, "agreement_on": "2018-06-01",
                "grade": "good", "white_listed": True, "account_number": "6228480099990000",
                "party_government": "县乡村振兴局", "party_bank": "农商银行", "party_enterprise": "连翘种植有限公司"}
        r = _api(w.county, "/api/v1/projects", body)
        assert r.status_code == 201, r.content
        out = r.json()
        assert out["grade"] == "good" and out["white_listed"] and out["participants"] == []
        assert out["account_parties"] == ["县乡村振兴局", "农商银行", "连翘种植有限公司"]
        pk = out["id"]
        new = _loan(w.tree, w.bank, w.officer, village=2, principal=2_000_000)
        r = _api(w.county, f"/api/v1/projects/{pk}/participants", {"loan_number": new.number})
        assert r.status_code == 201, r.content
        (m,) = r.json()["participants"]
        assert m["share"] == "20000.00" and [p["minimum"] for p in m["payouts"]] == ["2000.00"] * 3
        assert r.json()["loans_amount"] == "20000.00"


def test_api_refusals(world):  # noqa: F811
    w = world
    with pinned_business_date(DAY):
        body = {"name": "项目", "enterprise_name": "主体", "enterprise_kind": "enterprise",
                "region_code": w.tree.townships[0].code, "bank_code": w.bank.code, "agreement_on": "2018-06-01"}
        for change, status, words in (
                ({"name": "长" * 101}, 422, ""), ({"bank_code": "NOPE"}, 422, "银行"),
                ({"grade": "best"}, 422, "分级"), ({"enterprise_kind": "x"}, 422, "主体类型"),
                ({"region_code": "411225100000"}, 422, "所属区划"), ({"account_number": "abc"}, 422, "三方共管账户"),
                ({"agreement_on": "2019-07-02"}, 422, "带动协议签订日"), ({"grace_days": 999}, 422, ""),
                ({"name": "  "}, 422, "项目名称"), ({"agreement_on": "9999-99-99"}, 422, "")):
            r = _api(w.county, "/api/v1/projects", {**body, **change})
            assert r.status_code == status, (change, r.content)
            assert words in json.dumps(r.json(), ensure_ascii=False), change
        assert _api(w.township, "/api/v1/projects", body).status_code == 403
        assert _api(w.officer, "/api/v1/projects", body).status_code == 403
        other = make_user(COUNTY, ["411225"])
        assert _api(other, "/api/v1/projects", body).status_code == 422
        assert Project.objects.count() == 1

        url = f"/api/v1/projects/{w.project.pk}/participants"
        other_bank = _loan(w.tree, w.other_bank.bank, w.other_bank)
        new = _loan(w.tree, w.bank, w.officer)
        for payload, status, words in (
                ({"loan_number": other_bank.number}, 422, "合作银行"),
                ({"loan_number": w.loans[0].number}, 422, "已在本项目中"),
                ({"loan_number": new.number, "share": "-1.00"}, 422, ""),
                ({"loan_number": new.number, "share": "0"}, 422, "贷款份额"),
                ({"loan_number": new.number, "share": "50000.01"}, 422, "贷款份额"),
                ({"loan_number": "x" * 33}, 422, ""), ({"loan_number": "NO-SUCH"}, 422, "借据号")):
            r = _api(w.county, url, payload)
            assert r.status_code == status, (payload, r.content)
            assert words in json.dumps(r.json(), ensure_ascii=False), payload
        assert _api(other, url, {"loan_number": new.number}).status_code == 404
        assert _api(w.finance, url, {"loan_number": new.number}).status_code == 403
        assert _api(w.county, "/api/v1/projects/99999999/participants", {"loan_number": new.number}).status_code == 404
        assert Participant.objects.filter(project=w.project).count() == 2
