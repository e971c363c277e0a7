"""Bank officers verify an ID number: registered, eligible, grade, limit — nothing else (ARCHITECTURE §5);
audited, scoped, throttled per officer and per IP, and a wrong check digit is refused as such."""

from decimal import Decimal

import pytest
from django.urls import reverse

from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.core.panels import MEMBER_RATING, member_rating, register_member_rating
from microcredit.apps.households import verification
from microcredit.apps.households.eligibility import eligible_statuses
from microcredit.domain.households import DEFAULT_ELIGIBLE_STATUSES as DEFAULT_ELIGIBLE
from microcredit.apps.reference.models import PolicyEra
from tests.factories import make_bank, make_household, make_region_tree, make_user, next_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return make_region_tree()


@pytest.fixture
def officer(tree):
    return make_user("bank_officer", scope_regions=[tree.county.prefix], bank=make_bank())


def verify(client, id_number):
    return client.post("/api/v1/registry/verify", {"id_number": id_number}, content_type="application/json")


@pytest.mark.parametrize("fields, eligible", [
    ({"status": "poor"}, True),
    ({"status": "exited"}, True),
    ({"status": "poor", "is_wubao": True}, False),  # 五保户 are excluded [S1 第9篇]
])
def test_registered_members_are_verified_without_their_status(client, tree, officer, business_day, fields,
                                                             eligible, monkeypatch):
    monkeypatch.setattr(MEMBER_RATING, "_entries", {})  # no rating app yet
    household = make_household(tree.villages[0], members=1, **fields)
    spouse = household.members.exclude(relation="head").get()
    client.force_login(officer)
    answer = verify(client, spouse.id_number).json()
    assert answer == {"registered": True, "eligible": eligible, "grade": None, "credit_limit": None}


def test_status_eligibility_follows_the_policy_era_in_force(client, tree, officer, business_day):
    exited = make_household(tree.villages[0], status="exited")
    PolicyEra.objects.create(
        code="T", name="测试期", effective_from=business_day, max_amount=5_000_000, max_term_months=36,
        rate_basis="lpr", eligible_statuses=["poor"], subsidy_ratio=Decimal("1"),
    )
    client.force_login(officer)
    assert verify(client, exited.head_id_number).json()["eligible"] is False


def test_without_policy_eras_the_default_statuses_apply(client, tree, officer, business_day):
    PolicyEra.objects.update(superseded_by=None)
    PolicyEra.objects.all().delete()
    assert eligible_statuses(business_day) == tuple(str(s) for s in DEFAULT_ELIGIBLE)
    general = make_household(tree.villages[0], status="general")
    edge = make_household(tree.villages[0], status="edge")
    client.force_login(officer)
    assert verify(client, general.head_id_number).json()["eligible"] is False
    assert verify(client, edge.head_id_number).json()["eligible"] is True


def test_unknown_or_out_of_scope_numbers_are_not_registered(client, tree, business_day):
    household = make_household(tree.villages[2])
    officer = make_user("bank_officer", scope_regions=[tree.townships[0].prefix], bank=make_bank())
    client.force_login(officer)
    for id_number in (next_id_number(), household.head_id_number):
        answer = verify(client, id_number).json()
        assert answer == {"registered": False, "eligible": False, "grade": None, "credit_limit": None}


def test_every_verification_is_audited_and_shows_on_the_household_timeline(client, tree, officer, business_day):
    household = make_household(tree.villages[0])
    client.force_login(officer)
    verify(client, household.head_id_number.lower())
    verify(client, next_id_number())
    entries = AuditEntry.objects.filter(action="registry.verify").order_by("id")
    assert entries.count() == 2
    assert entries[0].household_id == household.pk and entries[0].actor == officer
    assert household.head_id_number not in entries[0].object_repr  # masked in the trail
    assert entries[1].household_id is None and entries[1].after["registered"] is False


def test_the_verify_page_answers_without_showing_the_registry(client, tree, officer, business_day):
    household = make_household(tree.villages[0], head_name="钱九")
    client.force_login(officer)
    assert client.get(reverse("households:verify")).status_code == 200
    html = client.post(reverse("households:verify"), {"id_number": household.head_id_number}).content.decode()
    assert "已登记" in html and "钱九" not in html
    assert "贫困户" not in html  # the poverty status is the registry's, not the bank's


@pytest.mark.parametrize("role", ["village_station", "auditor", "household"])
def test_roles_without_verify_identity_cannot_verify(client, tree, role):
    client.force_login(make_user(role, scope_regions=[tree.county.prefix]))
    assert verify(client, next_id_number()).status_code == 403
    assert client.get(reverse("households:verify")).status_code == 403


def test_a_malformed_number_is_refused(client, officer):
    client.force_login(officer)
    assert verify(client, "123").status_code == 422


def test_grade_and_limit_come_from_the_rating_hook(client, tree, officer, business_day, monkeypatch):
    household = make_household(tree.villages[0])
    seen = []
    monkeypatch.setattr(MEMBER_RATING, "_entries", {})
    register_member_rating(lambda member: seen.append(member) or ("AAA", 4_000_000))
    client.force_login(officer)
    answer = verify(client, household.head_id_number).json()
    assert answer == {"registered": True, "eligible": True, "grade": "AAA", "credit_limit": "40000.00"}
    assert seen[0].id_number == household.head_id_number


def test_the_hook_is_optional_when_no_app_registers_a_rating(monkeypatch):
    monkeypatch.setattr(MEMBER_RATING, "_entries", {})
    assert member_rating(object()) is None


def _wrong_check_digit(id_number: str) -> str:
    last = id_number[-1]
    return id_number[:-1] + ("0" if last != "0" else "1")


def test_a_wrong_check_digit_is_refused_as_such_not_answered_unregistered(client, tree, officer, business_day):
    household = make_household(tree.villages[0])
    client.force_login(officer)
    response = verify(client, _wrong_check_digit(household.head_id_number))
    assert response.status_code == 422
    assert "身份证号校验位错误" in response.json()["detail"]
    html = client.post(reverse("households:verify"),
                       {"id_number": _wrong_check_digit(household.head_id_number)}).content.decode()
    assert "身份证号校验位错误" in html and "未登记" not in html


def test_the_31st_call_in_a_minute_is_refused_with_retry_after_and_audited(client, tree, officer, business_day):
    household = make_household(tree.villages[0])
    client.force_login(officer)
    for _ in range(30):
        assert verify(client, household.head_id_number).status_code == 200
    refused = verify(client, household.head_id_number)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "核验过于频繁" in refused.json()["detail"]
    assert AuditEntry.objects.filter(action="registry.verify").count() == 30  # the refused call answered nothing
    entry = AuditEntry.objects.get(action="registry.verify_refused")
    assert entry.actor == officer and household.head_id_number not in entry.object_repr
    assert household.head_id_number[:6] in entry.object_repr  # masked, not dropped
    # the page shares the officer's budget
    page = client.post(reverse("households:verify"), {"id_number": household.head_id_number})
    assert page.status_code == 429 and "核验过于频繁" in page.content.decode()


def test_one_address_is_throttled_across_officers(client, tree, business_day, settings):
    settings.MICROCREDIT_VERIFY_RATE_USER = "100/min"
    settings.MICROCREDIT_VERIFY_RATE_IP = "4/min"
    officers = [make_user("bank_officer", scope_regions=[tree.county.prefix], bank=make_bank()) for _ in range(2)]
    codes = []
    for officer in officers:
        client.force_login(officer)
        codes += [verify(client, next_id_number()).status_code for _ in range(3)]
    assert codes == [200] * 4 + [429] * 2
    # a forged X-Forwarded-For does not buy a fresh counter (no proxy configured)
    forged = client.post("/api/v1/registry/verify", {"id_number": next_id_number()},
                         content_type="application/json", headers={"X-Forwarded-For": "10.9.8.7"})
    assert forged.status_code == 429
