"""Risk flags and post-loan checks (issue #12 §1 and §4, DOMAIN §8): the cached Loan.risk_flag follows the open
flags (loan and household), blacklisting's malicious_default is never touched, a failed check raises the
usage flag, checks due/overdue reach the village clerk's to-do list, scope and hostile input."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from microcredit.apps.accounts.tokens import issue_token
from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.core.todo import todo_for
from microcredit.apps.funds.subsidy import MALICIOUS
from microcredit.apps.loans.services import loan_risk_flag_set
from microcredit.apps.postloan import selectors, services
from microcredit.apps.postloan.models import PostLoanCheck, RiskFlag
from tests.batch.portfolio import County
from microcredit.domain.access import BANK
from tests.factories import make_user

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def county():
    with pinned_business_date(TODAY):
        c = County()
        v0, v2 = c.tree.villages[0], c.tree.villages[2]
        c.clerk = make_user("village_station", scope_regions=[v0.prefix])
        c.other_clerk = make_user("village_station", scope_regions=[v2.prefix])
        c.township = make_user("township_station", scope_regions=[c.tree.townships[0].prefix])
        c.auditor = make_user("auditor", scope_regions=[c.tree.county.prefix])
        c.new = c.loan(village=0, disbursed=dt.date(2026, 5, 20), months=12)  # first check due 06-19
        c.old = c.loan(village=0, disbursed=dt.date(2025, 3, 15), months=36)  # first check overdue
        c.far = c.loan(village=2, disbursed=dt.date(2026, 5, 25), months=12)  # the other township
        yield c


def flag_of(loan):
    loan.refresh_from_db()
    return loan.risk_flag


def test_two_flags_then_clear_one_keeps_the_cached_flag_right(county):
    loan = county.new
    with pinned_business_date(TODAY):
        mig = services.flag_set(kind="migration", reason="外出务工（浙江）", actor=county.clerk, loan=loan)
        assert flag_of(loan) == "migration"
        ill = services.flag_set(kind="illness", reason="户主确诊重大疾病", actor=county.clerk, loan=loan)
        assert flag_of(loan) == "illness"  # higher priority
        services.flag_clear(flag=ill, reason="已康复并恢复生产", actor=county.township)
        assert flag_of(loan) == "migration"
        services.flag_clear(flag=mig, reason="已返乡", actor=county.clerk)
        assert flag_of(loan) == ""
    ill.refresh_from_db()
    assert ill.cleared_by == county.township and ill.clear_reason == "已康复并恢复生产" and ill.set_by == county.clerk
    assert AuditEntry.objects.filter(action="postloan.flag_set").count() == 2
    assert AuditEntry.objects.filter(action="postloan.flag_clear").count() == 2
    assert AuditEntry.objects.filter(action="loan.risk_flag", object_id=str(loan.pk)).count() == 4


def test_a_household_flag_spreads_to_its_active_loan_only(county):
    with pinned_business_date(TODAY):
        flag = services.flag_set(kind="death", reason="户主病故", actor=county.clerk, household=county.new.household)
        assert flag_of(county.new) == "death" and flag_of(county.old) == "" and flag_of(county.far) == ""
        services.flag_set(kind="disaster", reason="洪灾", actor=county.clerk, loan=county.new)
        assert flag_of(county.new) == "death"
        services.flag_clear(flag=flag, reason="继承人承接还款", actor=county.clerk)
        assert flag_of(county.new) == "disaster"
        assert [f.kind for f in selectors.flags_of_household(county.new.household)] == ["disaster", "death"]


def test_malicious_default_is_never_cleared_nor_overridden(county):
    loan = county.new
    with pinned_business_date(TODAY):
        loan_risk_flag_set(loan=loan, flag=MALICIOUS, actor=county.county_user, note="恶意逃废债")
        death = services.flag_set(kind="death", reason="户主病故", actor=county.clerk, loan=loan)
        hh = services.flag_set(kind="migration", reason="外出", actor=county.clerk, household=loan.household)
        assert flag_of(loan) == MALICIOUS
        services.flag_clear(flag=death, reason="核实有误", actor=county.clerk)
        services.flag_clear(flag=hh, reason="已返乡", actor=county.clerk)
        assert flag_of(loan) == MALICIOUS


def test_refusals(county):
    loan = county.new
    with pinned_business_date(TODAY):
        services.flag_set(kind="migration", reason="外出", actor=county.clerk, loan=loan)
        with pytest.raises(services.PostloanConflict, match="已有未解除"):
            services.flag_set(kind="migration", reason="又外出", actor=county.clerk, loan=loan)
        with pytest.raises(services.PostloanRefused) as exc:
            services.flag_set(kind="bogus", reason=" ", actor=county.clerk, loan=loan)
        assert exc.value.field == "kind"
        with pytest.raises(services.PostloanRefused, match="500"):
            services.flag_set(kind="death", reason="x" * 501, actor=county.clerk, loan=loan)
        with pytest.raises(services.PostloanConflict, match="管辖范围"):
            services.flag_set(kind="death", reason="病故", actor=county.other_clerk, loan=loan)
        with pytest.raises(services.PostloanConflict, match="无权"):
            services.flag_set(kind="death", reason="病故", actor=county.auditor, loan=loan)
        flag = RiskFlag.objects.get()
        services.flag_clear(flag=flag, reason="已返乡", actor=county.clerk)
        with pytest.raises(services.PostloanConflict, match="已于"):
            services.flag_clear(flag=flag, reason="再次", actor=county.clerk)
        with pytest.raises(services.PostloanRefused, match="解除原因"):
            services.flag_clear(flag=flag, reason="", actor=county.clerk)


def test_a_failed_check_raises_the_usage_flag_in_its_transaction(county):
    loan = county.old
    with pinned_business_date(TODAY):
        ok = services.check_record(loan=loan, passed=True, finding="养牛 5 头，与申请一致", actor=county.clerk,
                                   checked_on=dt.date(2026, 5, 30))
        assert ok.due_on == dt.date(2025, 4, 14) and flag_of(loan) == ""
        bad = services.check_record(loan=loan, passed=False, finding="资金用于建房", actor=county.clerk,
                                    photo=_png(), latitude=34.05, longitude=111.04)
        flag = RiskFlag.objects.get(loan=loan)
        assert flag.kind == "usage_failed" and flag.from_check == bad and "建房" in flag.reason
        assert flag_of(loan) == "usage_failed" and bad.photo and bad.photo_type == "image/png"
        services.check_record(loan=loan, passed=False, finding="仍未整改", actor=county.clerk)
        assert RiskFlag.objects.filter(loan=loan).count() == 1  # one open usage flag
        with pytest.raises(services.PostloanRefused) as exc:
            services.check_record(loan=loan, passed=False, finding="", actor=county.clerk,
                                  checked_on=dt.date(2026, 7, 1))
        assert exc.value.field == "finding"
        with pytest.raises(services.PostloanRefused, match="PDF"):
            services.check_record(loan=loan, passed=True, finding="", actor=county.clerk, photo=_file(b"MZ\x90"))
        assert PostLoanCheck.objects.filter(loan=loan).count() == 3


def _file(data: bytes, name="a.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/png")


def _png():
    return _file(PNG)


def test_checks_due_and_overdue_reach_the_village_clerk_and_the_township(county):
    with pinned_business_date(TODAY):
        due = {d.number: d.status for d in selectors.checks_due(user=county.clerk, on=TODAY)}
        assert due == {county.new.number: "due", county.old.number: "overdue"}
        items = [i for i in todo_for(county.clerk, TODAY).items if i.kind == "postloan_check"]
        assert [(i.overdue, county.old.number in i.title) for i in items] == [(True, True), (False, False)]
        assert items[1].due == dt.date(2026, 6, 19) and "/postloan/checks/?loan=" in items[1].url
        assert len([i for i in todo_for(county.township, TODAY).items if i.kind == "postloan_check"]) == 2
        assert [i.title for i in todo_for(county.other_clerk, TODAY).items if i.kind == "postloan_check"] == [
            f"{county.far.number} {county.far.household.head_name}：首次用途核查"]
        assert not [i for i in todo_for(county.county_user, TODAY).items if i.kind == "postloan_check"]
        services.check_record(loan=county.old, passed=True, finding="", actor=county.clerk)
        assert [d.number for d in selectors.checks_due(user=county.clerk, on=TODAY)] == [county.new.number]
        later = {d.number: (d.status, d.due_on) for d in selectors.checks_due(user=county.clerk, on=dt.date(2027, 3, 1))}
        assert later[county.old.number] == ("due", dt.date(2027, 3, 15))  # the anniversary's window is open


def test_pages_and_panels(client, county):
    with pinned_business_date(TODAY):
        client.force_login(county.clerk)
        r = client.post("/postloan/flags/set/", {"loan": county.new.pk, "kind": "migration", "reason": "外出务工",
                                                 "next": f"/loans/{county.new.pk}/"})
        assert r.status_code == 302 and r["Location"] == f"/loans/{county.new.pk}/"
        assert flag_of(county.new) == "migration"
        page = client.get(f"/loans/{county.new.pk}/").content.decode()
        assert "风险标识与贷后检查" in page and "外出务工/迁移" in page and "解除风险标识" in page
        client.post("/postloan/flags/set/", {"household": county.old.household_id, "kind": "disaster",
                                             "reason": "冰雹"})
        hh = client.get(f"/households/{county.old.household_id}/").content.decode()
        assert "重大灾害" in hh and "冰雹" in hh
        flags = client.get("/postloan/flags/").content.decode()
        assert "外出务工" in flags and "冰雹" in flags
        assert "冰雹" not in client.get("/postloan/flags/?kind=migration").content.decode()
        flag = RiskFlag.objects.get(kind="migration")
        assert client.post(f"/postloan/flags/{flag.pk}/clear/", {"reason": "已返乡"}).status_code == 302
        assert flag_of(county.new) == ""
        checks = client.get("/postloan/checks/").content.decode()
        assert county.new.number in checks and county.old.number in checks and "已逾期" in checks
        form = client.get(f"/postloan/checks/?loan={county.old.pk}").content.decode()
        assert "登记贷后检查" in form and 'name="photo"' in form
        r = client.post(f"/postloan/checks/?loan={county.old.pk}", {
            "loan": county.old.pk, "result": "failed", "checked_on": "2026-05-31", "finding": "改作他用",
            "latitude": "34.05", "longitude": "111.04", "photo": _png()})
        assert r.status_code == 302
        assert RiskFlag.objects.get(loan=county.old).kind == "usage_failed"
        assert flag_of(county.old) == "disaster"  # the household's disaster outranks it
        done = client.get("/postloan/checks/?status=done").content.decode()
        assert "改作他用" in done
        check = PostLoanCheck.objects.get()
        assert client.get(f"/postloan/checks/{check.pk}/photo/").status_code == 200


def test_scope_other_village_is_refused(client, county):
    with pinned_business_date(TODAY):
        flag = services.flag_set(kind="death", reason="病故", actor=county.clerk, loan=county.new)
        check = services.check_record(loan=county.new, passed=True, finding="", actor=county.clerk, photo=_png())
        client.force_login(county.other_clerk)
        assert "病故" not in client.get("/postloan/flags/").content.decode()
        assert client.post(f"/postloan/flags/{flag.pk}/clear/", {"reason": "x"}).status_code == 404
        assert client.post("/postloan/flags/set/", {"loan": county.new.pk, "kind": "illness",
                                                    "reason": "x"}).status_code == 404
        assert client.post("/postloan/flags/set/", {"household": county.new.household_id, "kind": "illness",
                                                    "reason": "x"}).status_code == 404
        assert client.get(f"/postloan/checks/?loan={county.new.pk}").status_code == 404
        assert client.post("/postloan/checks/", {"loan": county.new.pk, "result": "passed",
                                                 "checked_on": "2026-06-01"}).status_code == 404
        assert client.get(f"/postloan/checks/{check.pk}/photo/").status_code == 404
        assert county.new.number not in client.get("/postloan/checks/?status=done").content.decode()
        client.force_login(county.auditor)  # sees, may not act
        assert "病故" in client.get("/postloan/flags/").content.decode()
        assert client.post(f"/postloan/flags/{flag.pk}/clear/", {"reason": "x"}).status_code == 403
        assert client.post("/postloan/checks/", {"loan": county.new.pk, "result": "passed",
                                                 "checked_on": "2026-06-01"}).status_code == 403
        assert flag_of(county.new) == "death"


def test_hostile_page_input(client, county):
    with pinned_business_date(TODAY):
        client.force_login(county.clerk)
        for query in ("kind=bogus", "township=12ab", "village=1", "state=x", "q=" + "长" * 41, "page=-1"):
            assert client.get(f"/postloan/flags/?{query}").status_code == 400, query
        for query in ("status=x", "loan=abc", "loan=0", "village=99999999999999999"):
            assert client.get(f"/postloan/checks/?{query}").status_code in (400, 404), query
        r = client.post("/postloan/flags/set/", {"loan": county.new.pk, "kind": "death", "reason": "x" * 501},
                        follow=True)
        assert r.status_code == 200 and not RiskFlag.objects.exists()
        assert client.post("/postloan/flags/set/", {"loan": "99999999999999999999999", "kind": "death",
                                                    "reason": "x"}, follow=True).status_code == 200
        r = client.post("/postloan/checks/", {"loan": county.old.pk, "result": "failed", "checked_on": "2030-01-01",
                                              "finding": "", "latitude": "91", "longitude": "abc",
                                              "photo": _file(b"MZ\x90", "a.exe")})
        body = r.content.decode()
        assert r.status_code == 200 and "a.exe" in body and "纬度" in body
        r = client.post("/postloan/checks/", {"loan": county.old.pk, "result": "failed", "checked_on": "2030-01-01",
                                              "finding": "\x00"})
        assert r.status_code == 200 and not PostLoanCheck.objects.exists()
        r = client.post("/postloan/checks/", {"loan": county.old.pk, "result": "passed", "checked_on": "2026-06-02"})
        assert "不能晚于" in r.content.decode()
        assert client.post("/postloan/flags/set/", {"loan": county.new.pk, "kind": "death", "reason": "x",
                                                    "next": "https://evil.example/"})["Location"] == "/postloan/flags/"


@pytest.fixture
def api(county):
    raw, _ = issue_token(county.clerk)
    other, _ = issue_token(county.other_clerk)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}, {"HTTP_AUTHORIZATION": f"Bearer {other}"}


def test_api(client, county, api):
    auth, other = api
    with pinned_business_date(TODAY):
        post = lambda url, body, a=auth: client.post(url, body, content_type="application/json", **a)
        r = post("/api/v1/postloan/flags", {"kind": "migration", "reason": "外出务工", "loan_id": county.new.pk})
        assert r.status_code == 201 and r.json()["kind_label"] == "外出务工/迁移"
        fid = r.json()["id"]
        assert flag_of(county.new) == "migration"
        assert post("/api/v1/postloan/flags", {"kind": "migration", "reason": "again",
                                               "loan_id": county.new.pk}).status_code == 409
        assert [f["id"] for f in client.get("/api/v1/postloan/flags", **auth).json()] == [fid]
        assert client.get("/api/v1/postloan/flags", **other).json() == []
        assert post(f"/api/v1/postloan/flags/{fid}/clear", {"reason": "x"}, other).status_code == 404
        r = post(f"/api/v1/postloan/flags/{fid}/clear", {"reason": "已返乡"})
        assert r.status_code == 200 and r.json()["open"] is False and flag_of(county.new) == ""
        assert post(f"/api/v1/postloan/flags/{fid}/clear", {"reason": "已返乡"}).status_code == 409
        due = client.get("/api/v1/postloan/checks?status=overdue", **auth).json()
        assert [d["loan_number"] for d in due] == [county.old.number]
        assert [d["loan_number"] for d in client.get("/api/v1/postloan/checks", **auth).json()] == [county.new.number]
        r = post("/api/v1/postloan/checks", {"loan_id": county.old.pk, "result": "failed", "finding": "用途不符",
                                             "latitude": "34.050000", "longitude": "111.040000"})
        assert r.status_code == 201 and r.json()["result_label"] == "未通过" and flag_of(county.old) == "usage_failed"
        assert client.get("/api/v1/postloan/checks?status=done", **auth).json()[0]["finding"] == "用途不符"
        assert client.get("/api/v1/postloan/checks?status=done", **other).json() == []
        assert post("/api/v1/postloan/checks", {"loan_id": county.old.pk, "result": "passed"}, other).status_code == 404
        # hostile
        for body in ({"kind": "bogus", "reason": "x", "loan_id": county.new.pk},
                     {"kind": "death", "reason": "x" * 501, "loan_id": county.new.pk},
                     {"kind": "death", "reason": "x"},
                     {"kind": "death", "reason": "x", "loan_id": county.new.pk, "household_id": 1},
                     {"kind": "death", "reason": "x", "loan_id": 0},
                     {"kind": "death", "reason": "x", "loan_id": county.new.pk, "extra": 1},
                     {"kind": "death", "reason": " ", "loan_id": county.new.pk}):
            assert post("/api/v1/postloan/flags", body).status_code == 422, body
        assert post("/api/v1/postloan/flags", {"kind": "death", "reason": "x",
                                               "household_id": county.far.household_id}).status_code == 404
        for body in ({"loan_id": county.new.pk, "result": "maybe"},
                     {"loan_id": county.new.pk, "result": "passed", "latitude": "91", "longitude": "0"},
                     {"loan_id": county.new.pk, "result": "passed", "latitude": "30"},
                     {"loan_id": county.new.pk, "result": "passed", "checked_on": "2026-06-02"},
                     {"loan_id": county.new.pk, "result": "passed", "checked_on": "1900-01-01"},
                     {"loan_id": county.new.pk, "result": "failed", "finding": ""},
                     {"loan_id": county.new.pk, "result": "passed", "finding": "x" * 1001}):
            assert post("/api/v1/postloan/checks", body).status_code == 422, body
        for query in ("status=x", "village=1", "limit=0", "limit=100000"):
            assert client.get(f"/api/v1/postloan/checks?{query}", **auth).status_code == 422, query
        assert client.get("/api/v1/postloan/flags?kind=x", **auth).status_code == 422
        auditor, _ = issue_token(county.auditor)
        assert post("/api/v1/postloan/flags", {"kind": "death", "reason": "x", "loan_id": county.new.pk},
                    {"HTTP_AUTHORIZATION": f"Bearer {auditor}"}).status_code == 403


def test_a_claim_proposed_for_a_flagged_loan_starts_with_the_flags_cause(client, county):
    """Collection's 提出代偿申请 opens the claim form with ?loan=…; a serious-illness flag points to
    the claim cause 丧失劳动能力 (DOMAIN §7), a migration flag to none."""
    with pinned_business_date(TODAY):
        services.flag_set(kind="illness", reason="户主确诊重大疾病", actor=county.clerk, loan=county.old)
        services.flag_set(kind="migration", reason="外出务工", actor=county.clerk, loan=county.new)
        client.force_login(make_user(BANK, scope_regions=[county.tree.county.prefix], bank=county.bank))
        ill = client.get(f"/funds/claims/new/?loan={county.old.number}").content.decode()
        moved = client.get(f"/funds/claims/new/?loan={county.new.number}").content.decode()
    assert re.search(r'<option value="labour_loss"[^>]*selected', ill)
    assert not re.search(r"<option value=\"\w+\"[^>]*selected", moved)
