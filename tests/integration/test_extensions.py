"""Extension and renewal as a workflow (DOMAIN §12, issue #12 §11): requested by the bank or the household
(the village clerk) → village opinion → township opinion → bank decision, before maturity."""

from __future__ import annotations

import datetime as dt

import pytest

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.core.workflow import WorkflowRefused, pending_for
from microcredit.apps.loans.extensions import ExtensionError, extension_request, extension_transition
from microcredit.apps.loans.models import EventKind, Loan
from tests.batch.portfolio import County
from tests.factories import make_bank, make_user

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 1)


@pytest.fixture
def county():
    with pinned_business_date(DAY):
        c = County()
        c.village = make_user("village_station", [c.tree.villages[0].prefix])
        c.village2 = make_user("village_station", [c.tree.villages[0].prefix])  # four eyes: not who asked
        c.other_village = make_user("village_station", [c.tree.villages[1].prefix])
        c.township = make_user("township_station", [c.tree.townships[0].prefix])
        c.other_township = make_user("township_station", [c.tree.townships[1].prefix])
        # bullet, 12 months from 2025-09-10: matures 2026-09-10, nothing overdue (interest with the principal)
        c.bullet = c.loan(method="bullet", months=12, disbursed=dt.date(2025, 9, 10), principal=3000000)
        yield c


def waiting(user, on=DAY):
    return [p.item.pk for p in pending_for(user, on) if p.workflow.table.code == "loan_extension"]


def test_an_extension_goes_village_township_bank_and_extends_the_loan(county):
    with pinned_business_date(DAY):
        req = extension_request(loan=county.bullet, kind="extension", new_maturity=dt.date(2027, 3, 10),
                                reason="养殖周期延长，销售回款推迟", actor=county.village)
        assert req.state == "village_opinion" and req.requested_role == "village_station"
        assert waiting(county.village2) == [req.pk] and waiting(county.township) == [] and waiting(county.officer) == []
        assert waiting(county.other_village) == []
        with pytest.raises(WorkflowRefused, match="职责分离"):  # the clerk who asked for the household
            extension_transition(request=req, action="approve", actor=county.village)
        with pytest.raises(WorkflowRefused, match="管辖范围"):
            extension_transition(request=req, action="approve", actor=county.other_village)
        with pytest.raises(WorkflowRefused, match="无权"):
            extension_transition(request=req, action="approve", actor=county.officer)
        extension_transition(request=req, action="approve", actor=county.village2, opinion="情况属实")
        assert waiting(county.township) == [req.pk] and waiting(county.village2) == []
        assert waiting(county.other_township) == []
        extension_transition(request=req, action="approve", actor=county.township, opinion="同意")
        assert waiting(county.officer) == [req.pk]
        req = extension_transition(request=req, action="approve", actor=county.officer, opinion="同意展期6个月")
    assert req.state == "approved"
    loan = Loan.objects.get(pk=county.bullet.pk)
    assert loan.maturity_date == dt.date(2027, 3, 10) and loan.term_months == 18
    event = loan.events.get(kind=EventKind.EXTENSION)
    assert event.data["decision"] == "同意展期6个月"
    assert [s.action for s in req.steps.order_by("id")] == ["request", "approve", "approve", "approve"]


def test_a_renewal_by_the_bank_opens_the_new_loan_on_approval(county):
    with pinned_business_date(DAY):
        req = extension_request(loan=county.bullet, kind="renewal", new_term_months=12, reason="继续发展养殖",
                                without_principal_repayment=True, actor=county.officer)
        for who in (county.village, county.township):
            extension_transition(request=req, action="approve", actor=who)
        req = extension_transition(request=req, action="approve", actor=county.officer)
    assert req.new_loan is not None and req.new_loan.renewed_from_id == county.bullet.pk
    assert Loan.objects.get(pk=county.bullet.pk).status == "renewed"


def test_requests_and_approvals_are_refused_after_maturity(county):
    with pinned_business_date(DAY):
        req = extension_request(loan=county.bullet, kind="extension", new_maturity=dt.date(2027, 3, 10),
                                reason="减产", actor=county.officer)
        extension_transition(request=req, action="approve", actor=county.village)
        extension_transition(request=req, action="approve", actor=county.township)
    late = dt.date(2026, 9, 10)
    with pinned_business_date(late):
        with pytest.raises(ExtensionError, match="到期后不能申请展期"):
            extension_transition(request=req, action="approve", actor=county.officer)
        req.refresh_from_db()
        assert req.state == "bank_decision" and county.bullet.events.filter(kind=EventKind.EXTENSION).count() == 0
        extension_transition(request=req, action="reject", actor=county.officer, opinion="已到期，按逾期处理")
        with pytest.raises(ExtensionError, match="到期后不能申请展期"):
            extension_request(loan=county.bullet, kind="extension", new_maturity=dt.date(2027, 3, 10),
                              reason="减产", actor=county.officer)


def test_every_failure_at_once_and_who_may_request(county):
    with pinned_business_date(DAY):
        with pytest.raises(ExtensionError) as err:
            extension_request(loan=county.bullet, kind="extension", new_maturity=dt.date(2026, 1, 1), reason="",
                              actor=county.officer)
        assert "晚于原到期日" in err.value.message and "申请原因" in err.value.message
        with pytest.raises(ExtensionError, match="1–36"):
            extension_request(loan=county.bullet, kind="renewal", new_term_months=99, reason="x", actor=county.officer)
        with pytest.raises(ExtensionError, match="500"):
            extension_request(loan=county.bullet, kind="extension", new_maturity=dt.date(2027, 3, 10),
                              reason="长" * 501, actor=county.officer)
        with pytest.raises(ExtensionError, match="村级"):
            extension_request(loan=county.bullet, kind="extension", new_maturity=dt.date(2027, 3, 10), reason="x",
                              actor=county.county_user)
        with pytest.raises(ExtensionError, match="管辖范围"):
            extension_request(loan=county.bullet, kind="extension", new_maturity=dt.date(2027, 3, 10), reason="x",
                              actor=county.other_village)
        other_bank = make_user("bank_officer", [county.tree.county.prefix], bank=make_bank("YCB", "邮储银行"))
        with pytest.raises(ExtensionError, match="管辖范围"):
            extension_request(loan=county.bullet, kind="extension", new_maturity=dt.date(2027, 3, 10), reason="x",
                              actor=other_bank)
        extension_request(loan=county.bullet, kind="extension", new_maturity=dt.date(2027, 3, 10), reason="x",
                          actor=county.officer)
        with pytest.raises(ExtensionError, match="在办"):
            extension_request(loan=county.bullet, kind="renewal", new_term_months=12, reason="x", actor=county.village)


def test_pages_list_request_and_act_through_the_kit(county, client):
    with pinned_business_date(DAY):
        client.force_login(county.village)
        page = client.get(f"/loans/{county.bullet.pk}/").content.decode()
        assert "申请展期或续贷" in page
        bad = client.post(f"/loans/{county.bullet.pk}/extensions/new/", {"kind": "extension", "new_maturity": "2026-02-30",
                                                                         "reason": "x"})
        assert bad.status_code == 200
        r = client.post(f"/loans/{county.bullet.pk}/extensions/new/", {"kind": "extension",
                                                                       "new_maturity": "2027-03-10", "reason": "减产"})
        assert r.status_code == 302
        req = county.bullet.extension_requests.get()
        assert "村级同意" in client.get(r.url).content.decode()
        assert req.number in client.get("/loans/extensions/").content.decode()
        client.force_login(county.village2)
        client.post(r.url, {"action": "approve", "opinion": "属实"})
        req.refresh_from_db()
        assert req.state == "township_opinion"
        client.force_login(county.other_village)
        assert client.get(r.url).status_code == 404
        assert req.number not in client.get("/loans/extensions/").content.decode()
        client.force_login(county.officer)  # the bank's old direct extension page is now the request form
        assert client.get(f"/loans/{county.bullet.pk}/extend/").status_code == 200


def test_api_lists_creates_and_acts_and_refuses_hostile_input(county, client):
    api = "/api/v1/loans/extensions"
    with pinned_business_date(DAY):
        client.force_login(county.officer)
        r = client.post(api, {"loan_id": county.bullet.pk, "kind": "extension", "new_maturity": "2027-03-10",
                              "reason": "减产"}, content_type="application/json")
        assert r.status_code == 201, r.content
        rid = r.json()["id"]
        assert r.json()["actions"] == [{"action": "withdraw", "label": "撤回申请", "needs_opinion": True}]
        assert [x["id"] for x in client.get(api).json()] == [rid]
        for body in ({"loan_id": county.bullet.pk, "kind": "extension", "reason": "x" * 501},
                     {"loan_id": county.bullet.pk, "kind": "bogus", "reason": "x"},
                     {"loan_id": county.bullet.pk, "kind": "extension", "new_maturity": "2027-02-30", "reason": "x"}):
            assert client.post(api, body, content_type="application/json").status_code == 422
        assert client.post(api, {"loan_id": 10 ** 9, "kind": "extension", "reason": "x"},
                           content_type="application/json").status_code in (404, 422)
        assert client.post(f"{api}/{rid}/actions", {"action": "approve"},
                           content_type="application/json").status_code == 409  # not the bank's step
        assert client.post(f"{api}/{rid}/actions", {"action": "explode"},
                           content_type="application/json").status_code == 422
        client.force_login(county.village2)
        r = client.post(f"{api}/{rid}/actions", {"action": "approve", "opinion": "属实"}, content_type="application/json")
        assert r.status_code == 200 and r.json()["state"] == "township_opinion"
        client.force_login(county.other_village)
        assert client.get(api).json() == []
        assert client.post(f"{api}/{rid}/actions", {"action": "approve"},
                           content_type="application/json").status_code == 404
        assert client.post(api, {"loan_id": county.bullet.pk, "kind": "extension", "new_maturity": "2027-03-10",
                                 "reason": "x"}, content_type="application/json").status_code == 404
