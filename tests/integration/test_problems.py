"""The problem ledger 问题台账 (issue #12 §6, DOMAIN §8, §12): a case through every step, return and
reject, no 销号 without evidence, overdue in the owner's and the supervisor's to-do list, machine-found
cases deduplicated, scope and hostile input on the pages and the API."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.core.todo import todo_for
from microcredit.apps.core.workflow import WorkflowRefused, actions_for
from microcredit.apps.problems import selectors, services
from microcredit.apps.problems.models import Case
from microcredit.domain.access import BANK, COUNTY, TOWNSHIP, VILLAGE
from microcredit.domain.workflow import PROBLEM_CASE
from tests.factories import make_bank, make_region_tree, make_user

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 1)
PDF = b"%PDF-1.4 evidence\n"


def pdf(name="整改报告.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def world():
    with pinned_business_date(DAY):
        tree = make_region_tree()
        bank = make_bank()
        county = tree.county.prefix
        w = type("W", (), {})()
        w.tree, w.bank = tree, bank
        w.county = make_user(COUNTY, [county])
        w.county2 = make_user(COUNTY, [county])
        w.township = make_user(TOWNSHIP, [tree.townships[0].prefix])
        w.other_township = make_user(TOWNSHIP, [tree.townships[1].prefix])
        w.village = make_user(VILLAGE, [tree.villages[0].prefix])
        w.other_village = make_user(VILLAGE, [tree.villages[1].prefix])
        w.bank_user = make_user(BANK, [county], bank=bank)
        w.other_bank = make_user(BANK, [county], bank=make_bank("YCB", "邮储银行"))
        yield w


def _open(w, **kw):
    fields = dict(source="inspection", region_code=w.tree.villages[0].code, title="贷款用于建房",
                  description="检查发现", actor=w.county)
    fields.update(kw)
    return services.problem_open(**fields)


def _assign(w, case, deadline=DAY + dt.timedelta(days=10), on=DAY):
    return services.case_transition(case=case, action="assign", actor=w.county, owner_role=VILLAGE,
                                    owner_region=w.tree.villages[0].code, deadline=deadline, on=on)


def test_a_case_through_every_step_to_closed(world):
    w = world
    with pinned_business_date(DAY):
        case = _open(w)
        assert case.state == "opened" and case.number.startswith("WT2026")
        case = _assign(w, case)
        assert (case.state, case.owner_role, case.deadline) == ("assigned", VILLAGE, DAY + dt.timedelta(days=10))
        case = services.case_transition(case=case, action="rectify", actor=w.village, rectification="已收回贷款",
                                        documents=[pdf()])
        assert case.state == "rectified" and case.documents.count() == 1
        case = services.case_transition(case=case, action="verify", actor=w.county)
        with pytest.raises(WorkflowRefused, match="职责分离"):
            services.case_transition(case=case, action="close", actor=w.county)
        case = services.case_transition(case=case, action="close", actor=w.county2)
    assert case.state == "closed" and case.closed_on == DAY
    assert [s.action for s in selectors.case_steps(case)] == ["open", "assign", "rectify", "verify", "close"]


def test_a_case_cannot_close_without_evidence(world):
    w = world
    with pinned_business_date(DAY):
        case = _assign(w, _open(w))
        with pytest.raises(services.ProblemError, match="整改佐证材料"):
            services.case_transition(case=case, action="rectify", actor=w.village, rectification="已整改")
        with pytest.raises(services.ProblemError, match="整改情况"):
            services.case_transition(case=case, action="rectify", actor=w.village, documents=[pdf()])
        # even when it reached 已核验 without them (data fixed by hand), 销号 is refused
        Case.objects.filter(pk=case.pk).update(state="verified")
        with pytest.raises(services.ProblemError) as exc:
            services.case_transition(case=case, action="close", actor=w.county2)
    assert "不能销号" in exc.value.message
    assert Case.objects.get(pk=case.pk).state == "verified"


def test_return_and_reject_at_every_step_need_a_reason(world):
    w = world
    with pinned_business_date(DAY):
        case = _assign(w, _open(w))
        with pytest.raises(WorkflowRefused, match="必须填写意见或理由"):
            services.case_transition(case=case, action="return", actor=w.village)
        case = services.case_transition(case=case, action="return", actor=w.village, opinion="不属本村")
        assert case.state == "opened"
        case = _assign(w, case)
        case = services.case_transition(case=case, action="rectify", actor=w.village, rectification="整改",
                                        documents=[pdf()])
        case = services.case_transition(case=case, action="return", actor=w.county, opinion="材料不全")
        assert case.state == "assigned" and case.deadline == DAY + dt.timedelta(days=10)
        case = services.case_transition(case=case, action="rectify", actor=w.village, rectification="补充整改")
        case = services.case_transition(case=case, action="verify", actor=w.township)
        case = services.case_transition(case=case, action="return", actor=w.county, opinion="再核")
        assert case.state == "rectified"
        case = services.case_transition(case=case, action="reject", actor=w.county, opinion="不是问题")
        assert case.state == "rejected"
        with pytest.raises(WorkflowRefused):
            services.case_transition(case=case, action="assign", actor=w.county, owner_role=VILLAGE,
                                     owner_region=w.tree.villages[0].code, deadline=DAY)
        other = _open(w)
        other = services.case_transition(case=other, action="reject", actor=w.township, opinion="重复登记")
    assert other.state == "rejected"


def test_assignment_needs_owner_and_deadline(world):
    w = world
    with pinned_business_date(DAY):
        case = _open(w)
        with pytest.raises(services.ProblemError, match="整改期限"):
            services.case_transition(case=case, action="assign", actor=w.county, owner_role=VILLAGE,
                                     owner_region=w.tree.villages[0].code)
        with pytest.raises(services.ProblemError, match="不在本问题所属区划内"):
            services.case_transition(case=case, action="assign", actor=w.county, owner_role=VILLAGE,
                                     owner_region=w.tree.villages[2].code, deadline=DAY)
        with pytest.raises(services.ProblemError, match="早于交办日期"):
            _assign(w, case, deadline=DAY - dt.timedelta(days=1))


def test_only_the_owner_rectifies(world):
    w = world
    with pinned_business_date(DAY):
        case = _assign(w, _open(w))
        assert [t.action for t in actions_for(PROBLEM_CASE, case, w.village)] == ["rectify", "return"]
        with pytest.raises(WorkflowRefused, match="管辖范围"):  # the township is not the owner
            services.case_transition(case=case, action="rectify", actor=w.township, rectification="x",
                                     documents=[pdf()])
        with pytest.raises(WorkflowRefused, match="管辖范围"):
            services.case_transition(case=case, action="rectify", actor=w.other_village, rectification="x",
                                     documents=[pdf()])


def test_overdue_in_the_owners_and_the_supervisors_to_do(world):
    w = world
    deadline = DAY + dt.timedelta(days=5)
    with pinned_business_date(DAY):
        case = _assign(w, _open(w), deadline=deadline)
    on_deadline = todo_for(w.village, deadline)
    mine = [i for i in on_deadline.items if i.kind == "problem_case"]
    assert len(mine) == 1 and mine[0].due == deadline and not mine[0].overdue
    after = todo_for(w.village, deadline + dt.timedelta(days=1))
    mine = [i for i in after.items if i.kind == "problem_case"]
    assert mine[0].overdue and mine[0].title.startswith(case.number)
    below = [i for i in todo_for(w.county, deadline + dt.timedelta(days=1)).below if i.kind == "problem_case"]
    assert len(below) == 1 and below[0].overdue
    assert not [i for i in todo_for(w.other_village, deadline + dt.timedelta(days=1)).items if i.kind == "problem_case"]
    late = selectors.case_list(user=w.county, overdue_only=True, on=deadline + dt.timedelta(days=1))
    assert list(late) == [case]
    assert not selectors.case_list(user=w.county, overdue_only=True, on=deadline).exists()


def test_a_dedupe_key_updates_the_open_case(world):
    w = world
    with pinned_business_date(DAY):
        first = _open(w, source="reconciliation", dedupe_key="recon:L1", evidence=[{"借据号": "L1", "差额": 100}],
                      actor=None)
        again = _open(w, source="reconciliation", dedupe_key="recon:L1", evidence=[{"借据号": "L1", "差额": 200}],
                      actor=None)
        assert again.pk == first.pk and again.found_count == 2 and again.evidence == [{"借据号": "L1", "差额": 200}]
        assert Case.objects.filter(dedupe_key="recon:L1").count() == 1
        services.case_transition(case=first, action="reject", actor=w.county, opinion="银行已更正")
        third = _open(w, source="reconciliation", dedupe_key="recon:L1", actor=None)
    assert third.pk != first.pk and Case.objects.filter(dedupe_key="recon:L1").count() == 2


def test_the_database_refuses_two_open_cases_for_one_key(world):
    w = world
    with pinned_business_date(DAY):
        case = _open(w, dedupe_key="k", actor=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(number="X", source="other", region_code=case.region_code, title="t",
                            state_entered_on=DAY, due_anchor=DAY, last_found_on=DAY, opened_on=DAY, dedupe_key="k")


def test_scope_of_the_list(world):
    w = world
    with pinned_business_date(DAY):
        case = _open(w, bank_code=w.bank.code)
        county_case = _open(w, region_code=w.tree.county.code)
    assert set(selectors.case_list(user=w.county)) == {case, county_case}
    assert list(selectors.case_list(user=w.village)) == [case]
    assert not selectors.case_list(user=w.other_village).exists()
    assert not selectors.case_list(user=w.other_township).exists()
    assert list(selectors.case_list(user=w.bank_user)) == [case]
    assert not selectors.case_list(user=w.other_bank).exists()


def test_hostile_input_to_the_service(world):
    w = world
    with pinned_business_date(DAY):
        with pytest.raises(services.ProblemError) as exc:
            _open(w, title="x" * 201)
        assert exc.value.field == "title"
        with pytest.raises(services.ProblemError):
            _open(w, region_code="41122410000A")
        with pytest.raises(services.ProblemError, match="不在您的管辖范围内"):
            _open(w, actor=w.other_township)
        with pytest.raises(services.ProblemError, match="证据明细"):
            _open(w, evidence=[{"a": {"nested": 1}}])
        with pytest.raises(services.ProblemError, match="关联银行"):
            _open(w, bank_code="NOPE")


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_pages(world):
    w = world
    with pinned_business_date(DAY):
        case = _assign(w, _open(w), deadline=DAY - dt.timedelta(days=0))
        c = _client(w.county)
        r = c.get("/problems/cases/?state=assigned&source=inspection&region=411224100001")
        assert r.status_code == 200 and case.number in r.content.decode()
        assert c.get(f"/problems/cases/{case.pk}/").status_code == 200
        assert c.get("/problems/cases/?state=<script>").status_code == 400
        assert c.get("/problems/cases/?region=abc").status_code == 400
        assert c.get("/problems/cases/?q=" + "x" * 100).status_code == 400
        assert _client(w.other_village).get(f"/problems/cases/{case.pk}/").status_code == 404
        assert _client(w.other_village).get("/problems/cases/new/").status_code == 403
        r = c.get("/problems/cases/new/")
        assert r.status_code == 200
        r = c.post("/problems/cases/new/", {"source": "audit", "region_code": w.tree.townships[0].code,
                                            "title": "审计发现", "description": "", "subject": "", "bank_code": ""})
        assert r.status_code == 302
        r = c.post("/problems/cases/new/", {"source": "audit", "region_code": "999999999999", "title": "x" * 300})
        assert r.status_code == 200 and Case.objects.count() == 2
        v = _client(w.village)
        r = v.post(f"/problems/cases/{case.pk}/", {"action": "rectify", "rectification": "已整改",
                                                    "document": SimpleUploadedFile("a.pdf", PDF)})
        assert r.status_code == 302
        assert Case.objects.get(pk=case.pk).state == "rectified"
        r = c.post(f"/problems/cases/{case.pk}/", {"action": "verify", "deadline": "99999-01-01"})
        assert r.status_code == 200 and Case.objects.get(pk=case.pk).state == "rectified"
        doc = case.documents.first()
        assert c.get(f"/problems/documents/{doc.pk}/").status_code == 200
        assert _client(w.other_village).get(f"/problems/documents/{doc.pk}/").status_code == 404


def test_api(world):
    w = world
    with pinned_business_date(DAY):
        c = _client(w.county)
        body = {"source": "inspection", "region_code": w.tree.villages[0].code, "title": "未按基准利率",
                "evidence": [{"借据号": "L9"}]}
        r = c.post("/api/v1/problems/cases", json.dumps(body), content_type="application/json")
        assert r.status_code == 201, r.content
        pk = r.json()["id"]
        assert r.json()["actions"] == ["assign", "reject"]
        act = lambda user, data: _client(user).post(f"/api/v1/problems/cases/{pk}/actions", json.dumps(data),
                                                    content_type="application/json")
        r = act(w.county, {"action": "assign", "opinion": "", "owner_role": VILLAGE,
                           "owner_region": w.tree.villages[0].code, "deadline": "2026-06-10"})
        assert r.status_code == 200 and r.json()["state"] == "assigned"
        r = act(w.village, {"action": "rectify", "rectification": "已整改"})
        assert r.status_code == 422 and r.json()["field"] == "document"
        r = _client(w.village).post(f"/api/v1/problems/cases/{pk}/documents", {"file": SimpleUploadedFile("a.pdf", PDF)})
        assert r.status_code == 200 and r.json()["documents"] == 1
        r = _client(w.village).post(f"/api/v1/problems/cases/{pk}/documents",
                                    {"file": SimpleUploadedFile("a.pdf", b"MZ not a pdf")})
        assert r.status_code == 422
        r = act(w.village, {"action": "rectify", "rectification": "已整改"})
        assert r.status_code == 200 and r.json()["state"] == "rectified"
        r = act(w.village, {"action": "verify"})
        assert r.status_code == 409
        r = act(w.county, {"action": "nope"})
        assert r.status_code == 409
        r = act(w.county, {"action": "verify", "opinion": "x" * 5000})
        assert r.status_code == 422
        r = act(w.county, {"action": "assign", "deadline": "2026-13-40"})
        assert r.status_code == 422
        r = c.get(f"/api/v1/problems/cases/{pk}")
        assert r.status_code == 200 and [s["action"] for s in r.json()["steps"]] == ["open", "assign", "rectify"]
        assert c.get("/api/v1/problems/cases?state=assigned&overdue=true").status_code == 200
        assert c.get("/api/v1/problems/cases?state=bogus").status_code == 422
        assert c.get("/api/v1/problems/cases?region=" + "1" * 20).status_code == 422
        assert _client(w.other_village).get(f"/api/v1/problems/cases/{pk}").status_code == 404
        assert _client(w.other_village).post(f"/api/v1/problems/cases/{pk}/actions", json.dumps({"action": "verify"}),
                                             content_type="application/json").status_code == 404
        r = c.post("/api/v1/problems/cases", json.dumps({**body, "title": "x" * 300}), content_type="application/json")
        assert r.status_code == 422
        r = _client(w.village).post("/api/v1/problems/cases", json.dumps(body), content_type="application/json")
        assert r.status_code == 403
        r = c.post("/api/v1/problems/cases", json.dumps({**body, "region_code": w.tree.county.code[:6] + "9" * 6}),
                   content_type="application/json")
        assert r.status_code == 422
        listed = c.get("/api/v1/problems/cases").json()
    assert [x["id"] for x in listed] == [pk]
