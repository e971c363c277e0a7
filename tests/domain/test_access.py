"""Who may give whom which role and scope (DOMAIN §1, ARCHITECTURE §5): domain.access."""

from __future__ import annotations

import pytest

from microcredit.domain.access import (
    ADMIN, BANK, COUNTY, HOUSEHOLD, TOWNSHIP, VILLAGE, assignment_errors, grantable_roles, own_account_errors,
    prefix_level, scope_prefixes, within,
)

COUNTY6, TOWNSHIP9, VILLAGE12 = "411224", "411224100", "411224100001"
OTHER_VILLAGE = "622222100001"


def errors(role, scope, *, bank=False, unrestricted=False, actor=(COUNTY6,), names=None):
    return assignment_errors(role=role, scope_codes=scope, has_bank=bank, actor_unrestricted=unrestricted,
                             actor_prefixes=actor, names=names)


@pytest.mark.parametrize("role, scope, bank", [
    (VILLAGE, [VILLAGE12], False), (VILLAGE, [VILLAGE12, "411224100002"], False), (TOWNSHIP, [TOWNSHIP9], False),
    (COUNTY, [COUNTY6], False), ("pboc", [COUNTY6], False), ("finance", [COUNTY6], False),
    ("auditor", [COUNTY6], False), ("insurer", [COUNTY6], False), (BANK, [COUNTY6], True),
])
def test_a_county_office_may_grant_each_role_at_its_level_in_its_county(role, scope, bank):
    assert errors(role, scope, bank=bank) == []


@pytest.mark.parametrize("role", [ADMIN, HOUSEHOLD, "", "superuser"])
def test_a_county_office_may_not_grant_admin_or_household_or_an_unknown_role(role):
    assert [e.field for e in errors(role, [COUNTY6])] == ["role"]


def test_an_administrator_may_grant_admin_anywhere_but_not_household():
    assert errors(ADMIN, [], unrestricted=True, actor=()) == []
    assert errors(VILLAGE, [OTHER_VILLAGE], unrestricted=True, actor=()) == []
    assert ADMIN in grantable_roles(actor_unrestricted=True) and HOUSEHOLD not in grantable_roles(actor_unrestricted=True)
    assert ADMIN not in grantable_roles(actor_unrestricted=False)


@pytest.mark.parametrize("role, scope", [
    (VILLAGE, [TOWNSHIP9]), (VILLAGE, [COUNTY6]), (TOWNSHIP, [VILLAGE12]), (COUNTY, [TOWNSHIP9]),
    (VILLAGE, ["4112241000"]), (VILLAGE, ["4112241x0"]), (TOWNSHIP, [COUNTY6]),
])
def test_the_scope_level_must_fit_the_role(role, scope):
    found = errors(role, scope)
    assert [e.field for e in found] == ["scope"] and "管辖范围" in found[0].message


def test_a_role_with_a_level_needs_a_scope():
    assert errors(VILLAGE, [])[0].message == "管辖范围：请选择行政村"


def test_every_scope_code_must_lie_in_the_actors_scope_named_by_region_name():
    found = errors(VILLAGE, [OTHER_VILLAGE], names={OTHER_VILLAGE: "石门村"})
    assert found == [("scope", "管辖范围：石门村 不在您的管辖范围内")]
    assert errors(VILLAGE, [VILLAGE12], actor=(TOWNSHIP9,)) == []
    assert errors(VILLAGE, ["411224101001"], actor=(TOWNSHIP9,))[0].field == "scope"


def test_only_a_bank_officer_has_a_bank_and_always_one():
    assert errors(BANK, [COUNTY6])[0] == ("bank", "所属银行：合作银行人员必须选择所属银行")
    assert errors(VILLAGE, [VILLAGE12], bank=True)[0].field == "bank"


def test_every_failure_at_once():
    found = errors(ADMIN + "x", [OTHER_VILLAGE, TOWNSHIP9], bank=True)
    assert [e.field for e in found] == ["role", "scope", "bank"]
    found = errors(VILLAGE, [OTHER_VILLAGE, TOWNSHIP9], bank=False)
    assert [e.field for e in found] == ["scope", "scope"]


def test_prefixes_levels_and_within():
    assert [prefix_level(c) for c in (COUNTY6, TOWNSHIP9, VILLAGE12, "411224000", "41", "41122410000a")] == [
        "county", "township", "village", None, None, None]
    assert scope_prefixes(["411224100000", "411224000000", VILLAGE12, VILLAGE12, "bad"]) == [
        COUNTY6, TOWNSHIP9, VILLAGE12, "bad"]
    assert within([VILLAGE12, TOWNSHIP9], (COUNTY6,)) and not within([VILLAGE12, OTHER_VILLAGE], (COUNTY6,))
    assert not within([], (COUNTY6,))


def test_nobody_changes_their_own_access():
    assert own_account_errors(changed=set()) == []
    assert [e.field for e in own_account_errors(changed={"scope", "is_active"})] == ["scope", "is_active"]
