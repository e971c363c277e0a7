"""Statistical division codes: province › city › county › township › village › group (DOMAIN §2).

A code is 12 digits (2 province, 2 city, 2 county, 3 township, 3 village); a group (组) adds
3 digits to its village's code (15 digits). The level is read off the code; a child's code
starts with its parent's significant prefix.
"""

from __future__ import annotations

LEVELS = ("province", "city", "county", "township", "village", "group")
LEVEL_LABELS = {
    "province": "省", "city": "市", "county": "县", "township": "乡镇", "village": "行政村", "group": "组",
}
# Significant prefix length of each level.
PREFIX_LENGTH = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12, "group": 15}


def region_level(code: str) -> str:
    """The level of a division code; ValueError (Chinese) when the code is malformed."""
    # ASCII only: str.isdigit() would also accept full-width digits.
    if not (code.isascii() and code.isdigit()) or len(code) not in (12, 15):
        raise ValueError("区划代码必须是12位数字（组为15位）")
    if len(code) == 15:
        return "group"
    if code[9:] != "000":
        return "village"
    if code[6:9] != "000":
        return "township"
    if code[4:6] != "00":
        return "county"
    if code[2:4] != "00":
        return "city"
    return "province"


def significant_prefix(code: str) -> str:
    """The prefix that identifies the region and every region below it (used for scope)."""
    return code[: PREFIX_LENGTH[region_level(code)]]


def region_code_errors(code: str, parent_code: str | None) -> list[str]:
    """Every rule the code breaks against its parent (empty when fine)."""
    try:
        level = region_level(code)
    except ValueError as exc:
        return [str(exc)]
    if parent_code is None:
        return [] if level == "province" else [f"{LEVEL_LABELS[level]}级区划必须有上级区划"]
    try:
        parent_level = region_level(parent_code)
    except ValueError:
        return ["上级区划代码格式错误"]
    errors = []
    expected = LEVELS[LEVELS.index(parent_level) + 1] if parent_level != "group" else None
    if expected != level:
        errors.append(
            f"{LEVEL_LABELS[parent_level]}的下级应为{LEVEL_LABELS.get(expected or '', '无')}，"
            f"而代码{code}是{LEVEL_LABELS[level]}级"
        )
    if not code.startswith(significant_prefix(parent_code)):
        errors.append(f"区划代码{code}必须以上级代码前缀{significant_prefix(parent_code)}开头")
    return errors


def in_scope(code: str, prefixes: tuple[str, ...]) -> bool:
    """True when the region lies under any of the scope prefixes."""
    return any(code.startswith(p) for p in prefixes)
