"""Delinquency history and manual classification moves (DOMAIN §5.4, issue #12 §7 and §11)."""

from __future__ import annotations

import datetime as dt

import pytest

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.core.workflow import WorkflowRefused, pending_for
from microcredit.apps.loans import selectors
from microcredit.apps.loans import servicing as svc
from microcredit.apps.loans.models import ClassificationMove, Loan
from microcredit.apps.loans.reclassify import ReclassError, classification_propose, classification_transition
from microcredit.apps.monitoring.close import run_close
from microcredit.apps.monitoring.models import LoanDayState
from tests.batch.portfolio import County
from tests.factories import make_bank, make_user

pytestmark = pytest.mark.django_db


def close(day):
    with pinned_business_date(day):
        return run_close(day)


def moves(loan):
    return list(ClassificationMove.objects.filter(loan=loan).order_by("on", "id")
                .values_list("on", "from_class", "to_class", "cause"))


@pytest.fixture
def county():
    with pinned_business_date(dt.date(2026, 1, 5)):
        c = County()
        c.bullet = c.loan(method="bullet", months=12, disbursed=dt.date(2025, 1, 10), principal=3000000)
        yield c


def test_each_close_records_the_loans_whose_class_moved_once(county):
    close(dt.date(2026, 1, 5))
    assert moves(county.bullet) == []
    close(dt.date(2026, 1, 11))  # due 01-10, unpaid: 关注
    close(dt.date(2026, 1, 11))  # a re-run of the date does not duplicate
    close(dt.date(2026, 1, 12))  # still 关注: nothing
    close(dt.date(2026, 4, 15))  # 95 days: 次级
    close(dt.date(2026, 4, 15))
    assert moves(county.bullet) == [(dt.date(2026, 1, 11), "normal", "special_mention", "close"),
                                    (dt.date(2026, 4, 15), "special_mention", "substandard", "close")]
    with pinned_business_date(dt.date(2026, 4, 16)):
        svc.settlement_post(loan=county.bullet, on=dt.date(2026, 4, 16), actor=county.officer)
    close(dt.date(2026, 4, 16))  # settled loans leave the close; their history stays
    assert len(moves(county.bullet)) == 2
    hist = selectors.classification_moves(user=county.county_user, since=dt.date(2026, 2, 1))
    assert [m.to_class for m in hist] == ["substandard"]
    assert selectors.classification_moves(user=county.county_user, region="411224101").count() == 0
    assert selectors.classification_moves(user=make_user("county_office", ["999999"])).count() == 0


def test_a_manual_downgrade_is_confirmed_by_the_county_and_survives_the_closes(county):
    day = dt.date(2026, 1, 31)
    with pinned_business_date(day):
        loan = county.loan(method="interest_quarterly", months=12, disbursed=dt.date(2026, 1, 2))
        close(day)
        with pytest.raises(ReclassError) as err:  # every failure at once
            classification_propose(loan=loan, to_class="normal", reason="", actor=county.officer)
        assert "更差" in err.value.message and "下调原因" in err.value.message
        p = classification_propose(loan=loan, to_class="substandard", reason="death", reason_text="借款人意外身故",
                                   actor=county.officer)
        assert p.direction == "down" and p.state == "proposed"
        assert [x.item for x in pending_for(county.county_user, day) if x.workflow.table.code == "classification_move"] == [p]
        with pytest.raises(WorkflowRefused, match="无权"):
            classification_transition(proposal=p, action="approve", actor=county.officer)
        with pytest.raises(WorkflowRefused, match="管辖范围"):
            classification_transition(proposal=p, action="approve", actor=make_user("county_office", ["999999"]))
        classification_transition(proposal=p, action="approve", actor=county.county_user, opinion="核实属实")
    loan.refresh_from_db()
    assert (loan.classification, loan.manual_class, loan.manual_class_on) == ("substandard", "substandard", day)
    for d in (day, dt.date(2026, 2, 1), dt.date(2026, 2, 2)):
        close(d)
        state = LoanDayState.objects.get(loan_id=loan.pk)
        assert (state.classification, state.warning_light) == ("substandard", "red")
        assert Loan.objects.get(pk=loan.pk).classification == "substandard"
    with pinned_business_date(dt.date(2026, 2, 2)):  # a payment's refresh keeps the floor too
        svc.repayment_post(loan=loan, amount=100, on=dt.date(2026, 2, 2), actor=county.officer)
    assert Loan.objects.get(pk=loan.pk).classification == "substandard"
    assert moves(loan) == [(day, "normal", "substandard", "manual")]
    m = ClassificationMove.objects.get(loan=loan)
    assert (m.reason, m.reason_text, m.actor) == ("death", "借款人意外身故", county.county_user)


def _downgraded(county, day):
    with pinned_business_date(day):
        loan = county.loan(method="interest_monthly", months=24, disbursed=dt.date(2026, 1, 2))
        p = classification_propose(loan=loan, to_class="substandard", reason="disaster", actor=county.officer)
        classification_transition(proposal=p, action="approve", actor=county.county_user)
    return loan


def _pay_interest(county, loan, until, late_days=0):
    for inst in loan.installments.filter(due_date__lte=until).order_by("due_date"):
        on = inst.due_date + dt.timedelta(days=late_days)
        with pinned_business_date(on):
            svc.repayment_post(loan=loan, amount=inst.interest + (500 if late_days else 0), on=on, actor=county.officer)


def test_an_upgrade_is_refused_before_three_months_of_regular_payment_and_allowed_after(county):
    loan = _downgraded(county, dt.date(2026, 1, 15))
    _pay_interest(county, loan, dt.date(2026, 4, 1))
    with pinned_business_date(dt.date(2026, 4, 10)):
        with pytest.raises(ReclassError, match="须满 3 个月"):
            classification_propose(loan=loan, to_class="normal", reason="", actor=county.officer)
    _pay_interest(county, loan, dt.date(2026, 5, 1))
    on = dt.date(2026, 5, 10)
    with pinned_business_date(on):
        p = classification_propose(loan=loan, to_class="normal", reason="", actor=county.officer)
        assert (p.direction, p.reason) == ("up", "regular_payment")
        classification_transition(proposal=p, action="approve", actor=county.county_user)
    loan.refresh_from_db()
    assert (loan.classification, loan.manual_class) == ("normal", "")
    close(on)
    assert LoanDayState.objects.get(loan_id=loan.pk).classification == "normal"
    assert [m[1:] for m in moves(loan)] == [("normal", "substandard", "manual"), ("substandard", "normal", "manual")]


def test_an_upgrade_after_a_late_payment_in_the_window_is_refused(county):
    loan = _downgraded(county, dt.date(2026, 1, 15))
    _pay_interest(county, loan, dt.date(2026, 5, 1), late_days=3)
    with pinned_business_date(dt.date(2026, 5, 10)), pytest.raises(ReclassError, match="有逾期"):
        classification_propose(loan=loan, to_class="normal", reason="", actor=county.officer)


def test_who_may_propose_and_hostile_input(county):
    day = dt.date(2026, 1, 5)
    with pinned_business_date(day):
        other_bank = make_user("bank_officer", [county.tree.county.prefix], bank=make_bank("YCB", "邮储银行"))
        with pytest.raises(ReclassError, match="不是本行"):
            classification_propose(loan=county.bullet, to_class="loss", reason="fraud", actor=other_bank)
        with pytest.raises(ReclassError, match="银行提出"):
            classification_propose(loan=county.bullet, to_class="loss", reason="fraud",
                                   actor=make_user("village_station", [county.tree.villages[0].prefix]))
        with pytest.raises(ReclassError, match="500"):
            classification_propose(loan=county.bullet, to_class="loss", reason="other", reason_text="x" * 501,
                                   actor=county.officer)
        with pytest.raises(ReclassError, match="有效的五级分类"):
            classification_propose(loan=county.bullet, to_class="<script>", reason="fraud", actor=county.officer)
        p = classification_propose(loan=county.bullet, to_class="loss", reason="fraud", actor=county.officer)
        with pytest.raises(ReclassError, match="待确认"):
            classification_propose(loan=county.bullet, to_class="doubtful", reason="fraud", actor=county.officer)
        with pytest.raises(WorkflowRefused, match="意见或理由"):
            classification_transition(proposal=p, action="reject", actor=county.county_user)
        classification_transition(proposal=p, action="reject", actor=county.county_user, opinion="证据不足")
    assert Loan.objects.get(pk=county.bullet.pk).manual_class == "" and moves(county.bullet) == []


def test_pages_show_the_history_and_the_proposal_in_scope(county, client):
    with pinned_business_date(dt.date(2026, 1, 11)):
        close(dt.date(2026, 1, 11))
        client.force_login(county.officer)
        page = client.get(f"/loans/{county.bullet.pk}/").content.decode()
        assert "五级分类变动记录" in page and "日终按逾期天数" in page and "关注" in page
        r = client.post(f"/loans/{county.bullet.pk}/classification/", {"to_class": "loss", "reason": "other",
                                                                         "reason_text": ""})
        assert r.status_code == 200 and "具体说明" in r.content.decode()
        r = client.post(f"/loans/{county.bullet.pk}/classification/", {"to_class": "loss", "reason": "fraud"})
        p = county.bullet.class_proposals.get()
        assert r.status_code == 302 and r.url == f"/loans/classification/{p.pk}/"
        client.force_login(county.county_user)
        assert "确认调整" in client.get(r.url).content.decode()
        client.post(r.url, {"action": "approve", "opinion": "同意"})
        assert Loan.objects.get(pk=county.bullet.pk).classification == "loss"
        client.force_login(make_user("county_office", ["999999"]))
        assert client.get(r.url).status_code == 404
