"""Statistical division codes: level detection, parent rules, scope prefixes (DOMAIN §2)."""

import pytest

from microcredit.domain.regions import in_scope, region_code_errors, region_level, significant_prefix


@pytest.mark.parametrize("code, level, prefix", [
    ("410000000000", "province", "41"),
    ("411200000000", "city", "4112"),
    ("411224000000", "county", "411224"),
    ("411224100000", "township", "411224100"),
    ("411224100001", "village", "411224100001"),
    ("411224100001001", "group", "411224100001001"),
])
def test_level_and_prefix_are_read_off_the_code(code, level, prefix):
    assert region_level(code) == level
    assert significant_prefix(code) == prefix


@pytest.mark.parametrize("code", [
    "41122410000", "4112241000011", "41122410000A", "",
    "４１１２２４１００００１",  # full-width digits
])
def test_malformed_codes_are_refused(code):
    with pytest.raises(ValueError, match="12位数字"):
        region_level(code)


@pytest.mark.parametrize("code, parent, expected", [
    ("411224100001", "411224100000", []),
    ("411224100000", "411224000000", []),
    ("410000000000", None, []),
    # a village must hang under a township of its own prefix
    ("411224101001", "411224100000", ["区划代码411224101001必须以上级代码前缀411224100开头"]),
    # wrong child level: a village directly under a county
    ("411224100001", "411224000000", ["县的下级应为乡镇，而代码411224100001是行政村级"]),
    # a county without a parent
    ("411224000000", None, ["县级区划必须有上级区划"]),
    ("411224100001", "12345", ["上级区划代码格式错误"]),
    ("abc", "411224100000", ["区划代码必须是12位数字（组为15位）"]),
])
def test_parent_rules(code, parent, expected):
    assert region_code_errors(code, parent) == expected


def test_prefix_mismatch_and_wrong_level_are_both_reported():
    errors = region_code_errors("411225100001", "411224000000")
    assert len(errors) == 2


@pytest.mark.parametrize("code, prefixes, inside", [
    ("411224100001", ("411224",), True),
    ("411224100001", ("411224101",), False),
    ("411224100001", ("411224101", "411224100001"), True),
    ("411224100001", (), False),
])
def test_in_scope_is_a_prefix_match(code, prefixes, inside):
    assert in_scope(code, prefixes) is inside
