"""Loan applications: policy checks, the five steps, scope, disbursement via loan_open (DOMAIN §4, §12)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.origination import selectors, services
from microcredit.apps.origination.models import LoanApplication
from microcredit.apps.rating.models import Rating, RatingStatus
from microcredit.apps.rating.selectors import scorecard_for
from tests.factories import CARD_NUMBER, make_bank, make_household, make_region_tree, make_user, next_id_number

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


def rate(hh, grade="AAA", limit=4_000_000, on=DAY):
    return Rating.objects.create(household=hh, region_code=hh.region_code, scorecard=scorecard_for("411224", "x"),
                                 grade=grade, credit_limit=limit, status=RatingStatus.EFFECTIVE,
                                 valid_from=on - dt.timedelta(days=30), valid_until=on + dt.timedelta(days=900))


@pytest.fixture
def world():
    tree = make_region_tree()
    village = tree.villages[0]
    hh = make_household(village, members=1, head_id_number=next_id_number(born=dt.date(1980, 5, 1)))
    rate(hh)
    bank = make_bank()
    other_bank = make_bank("YCB", "邮储银行卢氏县支行")
    users = {
        "village": make_user("village_station", [village.prefix]),
        # segregation of duties: the clerk who submits does not give the village first review
        "village_reviewer": make_user("village_station", [village.prefix]),
        "township": make_user("township_station", [tree.townships[0].prefix]),
        "other_township": make_user("township_station", [tree.townships[1].prefix]),
        "county": make_user("county_office", [tree.county.prefix]),
        "bank": make_user("bank_officer", [tree.county.prefix], bank=bank),
        "other_bank": make_user("bank_officer", [tree.county.prefix], bank=other_bank),
    }
    return tree, hh, bank, users


def apply(hh, bank, users, **kw):
    args = dict(household=hh, borrower=hh.members.get(relation="head"), bank=bank, amount=3_000_000,
                term_months=36, industry="养殖", purpose="养殖肉牛5头", actor=users["village"], on=DAY)
    return services.application_create(**(args | kw))


def walk(app, users, until="approved"):
    chain = [("submit", "village"), ("approve", "village_reviewer"), ("approve", "township"), ("approve", "county"),
             ("approve", "bank")]
    for i, (action, who) in enumerate(chain):
        app = services.application_transition(application=app, action=action, actor=users[who],
                                              on=DAY + dt.timedelta(days=i), opinion="同意")
    return app


def test_policy_failures_all_at_once(world):
    tree, hh, bank, users = world
    with pytest.raises(services.PolicyRefused) as exc:
        apply(hh, bank, users, amount=11_000_000, term_months=48, purpose="盖房子", usage_mode="partnership")
    rules = {f.rule for f in exc.value.failures}
    assert rules >= {"授信额度", "贷款金额", "贷款期限", "贷款用途", "使用方式"}
    assert not LoanApplication.objects.exists()


def test_link_agreement_document_satisfies_partnership_mode(world):
    tree, hh, bank, users = world
    pdf = SimpleUploadedFile("xieyi.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    app = apply(hh, bank, users, usage_mode="partnership", partner_name="富民养牛合作社",
                documents={"link_agreement": pdf})
    assert app.documents.get().kind == "link_agreement"


def test_document_type_and_size_limits(world):
    tree, hh, bank, users = world
    exe = SimpleUploadedFile("a.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(services.DomainError, match="PDF"):
        apply(hh, bank, users, documents={"id_card": exe})
    big = SimpleUploadedFile("a.pdf", b"0" * (5 * 1024 * 1024 + 1), content_type="application/pdf")
    with pytest.raises(services.DomainError, match="5MB"):
        apply(hh, bank, users, documents={"id_card": big})


def test_a_document_type_is_read_from_its_content_not_its_name_or_the_browser(world):
    tree, hh, bank, users = world
    renamed = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 an exe", content_type="application/pdf")
    with pytest.raises(services.DomainError, match="按文件内容判断"):
        apply(hh, bank, users, documents={"id_card": renamed})


def test_five_steps_then_disbursement_opens_loan_with_schedule(world):
    tree, hh, bank, users = world
    app = walk(apply(hh, bank, users), users)
    assert app.state == "approved"
    with pytest.raises(services.WorkflowRefused, match="利率上限"):
        services.application_disburse(application=app, actor=users["bank"], annual_rate=Decimal("3.50"),
                                      method="interest_quarterly", disbursed_on=DAY + dt.timedelta(days=6),
                                      account_number=CARD_NUMBER)
    app = services.application_disburse(application=app, actor=users["bank"], annual_rate=Decimal("3.00"),
                                        method="interest_quarterly", disbursed_on=DAY + dt.timedelta(days=6),
                                        account_number=CARD_NUMBER)
    loan = app.loan
    assert app.state == "disbursed" and app.days_to_money == 6
    assert loan.principal == 3_000_000 and loan.cap_rate == Decimal("3.0000")
    assert loan.installments.count() == 13  # quarterly 3 years: 12 settlements + maturity
    assert app.transitions.count() == 6
    actions = set(AuditEntry.objects.filter(household_id=hh.pk).values_list("action", flat=True))
    assert {"application.create", "application.approve", "application.disburse", "loan.disburse"} <= actions
    # One policy loan outstanding: a new application now fails.
    with pytest.raises(services.PolicyRefused, match="在贷余额"):
        apply(hh, bank, users, amount=1_000_000)


def test_scope_other_township_and_other_bank_cannot_act(world):
    tree, hh, bank, users = world
    app = apply(hh, bank, users)
    for action, who in [("submit", "village"), ("approve", "village_reviewer")]:
        app = services.application_transition(application=app, action=action, actor=users[who], on=DAY)
    with pytest.raises(services.WorkflowRefused, match="管辖"):
        services.application_transition(application=app, action="approve", actor=users["other_township"], on=DAY)
    assert not selectors.application_list(users["other_township"]).exists()
    for who in ("township", "county"):
        app = services.application_transition(application=app, action="approve", actor=users[who], on=DAY)
    with pytest.raises(services.WorkflowRefused, match="本行"):
        services.application_transition(application=app, action="approve", actor=users["other_bank"], on=DAY)
    assert not selectors.application_list(users["other_bank"]).exists()


def test_wrong_role_wrong_state_and_return_with_opinion(world):
    tree, hh, bank, users = world
    app = apply(hh, bank, users)
    with pytest.raises(services.WorkflowRefused):
        services.application_transition(application=app, action="approve", actor=users["village"], on=DAY)
    app = services.application_transition(application=app, action="submit", actor=users["village"], on=DAY)
    with pytest.raises(services.WorkflowRefused, match="无权"):
        services.application_transition(application=app, action="approve", actor=users["county"], on=DAY)
    with pytest.raises(services.WorkflowRefused, match="意见"):
        services.application_transition(application=app, action="return", actor=users["village"], on=DAY)
    app = services.application_transition(application=app, action="return", actor=users["village"], on=DAY,
                                          opinion="缺少入户调查表")
    assert app.state == "draft"


def test_inbox_shows_overdue_for_the_right_role(world):
    tree, hh, bank, users = world
    app = apply(hh, bank, users)
    app = services.application_transition(application=app, action="submit", actor=users["village"], on=DAY)
    app = services.application_transition(application=app, action="approve", actor=users["village_reviewer"], on=DAY)
    from microcredit.apps.core.clock import pinned_business_date
    with pinned_business_date(DAY + dt.timedelta(days=3)):
        items = selectors.inbox(users["township"])
        assert [i.application.pk for i in items] == [app.pk] and items[0].overdue
        assert selectors.inbox(users["village"]) == []
        assert selectors.inbox(users["other_township"]) == []


def test_median_days_to_money(world):
    tree, hh, bank, users = world
    app = walk(apply(hh, bank, users), users)
    services.application_disburse(application=app, actor=users["bank"], annual_rate=Decimal("3.00"),
                                  method="equal_installment", disbursed_on=DAY + dt.timedelta(days=5),
                                  account_number=CARD_NUMBER)
    medians = selectors.median_days_to_money(users["county"])
    assert medians["township"] == [("城关镇", 5, 1)]
