"""Who may give whom which role and scope (DOMAIN §1 roles, ARCHITECTURE §5 scope).

A user's scope is a set of region-code significant prefixes (county 6 digits, township 9,
village 12) and, for a bank officer, a bank. The role decides the level of its scope; an actor
grants only roles it may grant, and only within its own scope. An administrator (or a
superuser) is unrestricted; a county office grants every role but the administrator's and the
household's (household logins come with the household portal).
"""

from __future__ import annotations

from microcredit.domain.errors import FieldError
from microcredit.domain.regions import in_scope, region_level, significant_prefix

COUNTY = "county_office"
TOWNSHIP = "township_station"
VILLAGE = "village_station"
BANK = "bank_officer"
PBOC = "pboc"
FINANCE = "finance"
INSURER = "insurer"
HOUSEHOLD = "household"
AUDITOR = "auditor"
ADMIN = "admin"

SCOPE_LEVEL = {VILLAGE: "village", TOWNSHIP: "township", COUNTY: "county", PBOC: "county", FINANCE: "county",
               AUDITOR: "county", INSURER: "county", BANK: "county"}
"""The level of the regions a role's scope holds (the administrator needs none)."""
_LEVEL_WORDS = {"village": "行政村", "township": "乡镇", "county": "县"}
_LEVEL_OF_LENGTH = {6: "county", 9: "township", 12: "village"}


def prefix_level(code: str) -> str | None:
    """The level of a scope prefix ("411224" county, "411224100" township, "411224100001" village),
    None when it is not one."""
    level = _LEVEL_OF_LENGTH.get(len(code))
    try:
        padded = code.ljust(12, "0")
        return level if level and region_level(padded) == level and significant_prefix(padded) == code else None
    except ValueError:
        return None


def scope_prefixes(codes) -> list[str]:
    """The scope prefixes of region codes, sorted, each once: a full 12-digit code becomes its
    significant prefix (a township's "411224100000" → "411224100"); a prefix stays as it is."""
    def prefix(code: str) -> str:
        try:
            return significant_prefix(code) if len(code) == 12 else code
        except ValueError:
            return code
    return sorted({prefix(str(c).strip()) for c in codes})


def grantable_roles(*, actor_unrestricted: bool) -> list[str]:
    """The roles an actor may give: an administrator every role but the household's, a county
    office every role but the administrator's and the household's."""
    return [*SCOPE_LEVEL, ADMIN] if actor_unrestricted else list(SCOPE_LEVEL)


def within(scope_codes, actor_prefixes) -> bool:
    """True when the scope is not empty and every one of its prefixes lies in the actor's prefixes."""
    return bool(scope_codes) and all(in_scope(code, tuple(actor_prefixes)) for code in scope_codes)


def assignment_errors(*, role: str, scope_codes: list[str], has_bank: bool, actor_unrestricted: bool,
                      actor_prefixes: tuple[str, ...], names: dict[str, str] | None = None) -> list[FieldError]:
    """Every rule a role, scope and bank assignment breaks (empty when it may be made).

    The role must be one the actor may grant; the scope must hold at least one region, each of
    the role's level (village station → villages, township station → townships, county roles and
    bank officers → the county) and inside the actor's scope; a bank officer needs a bank and no
    other role has one. ``names`` (code → region name) words the messages; a code without a name
    is shown as itself.
    """
    errors, names = [], names or {}
    if role not in grantable_roles(actor_unrestricted=actor_unrestricted):
        errors.append(FieldError("role", "角色：您不能授予此角色" if role in (ADMIN, HOUSEHOLD) else "角色：请选择角色"))
    level = SCOPE_LEVEL.get(role)
    if level and not scope_codes:
        errors.append(FieldError("scope", f"管辖范围：请选择{_LEVEL_WORDS[level]}"))
    wrong = [c for c in scope_codes if level and prefix_level(c) != level]
    if wrong:
        errors.append(FieldError("scope", f"管辖范围：此角色只能管辖{_LEVEL_WORDS[level]}，{'、'.join(names.get(c, c) for c in wrong)} 不是{_LEVEL_WORDS[level]}"))
    outside = [c for c in scope_codes if not actor_unrestricted and not in_scope(c, tuple(actor_prefixes))]
    if outside:
        errors.append(FieldError("scope", f"管辖范围：{'、'.join(names.get(c, c) for c in outside)} 不在您的管辖范围内"))
    if role == BANK and not has_bank:
        errors.append(FieldError("bank", "所属银行：合作银行人员必须选择所属银行"))
    if role != BANK and has_bank:
        errors.append(FieldError("bank", "所属银行：只有合作银行人员可以选择所属银行"))
    return errors


def own_account_errors(*, changed: set[str]) -> list[FieldError]:
    """Nobody changes their own role, scope or bank, or disables their own account (no one widens
    their own access; an office does not lock itself out)."""
    words = {"role": "角色", "scope": "管辖范围", "bank": "所属银行", "is_active": "状态"}
    return [FieldError(f, f"{words[f]}：不能修改本人账号的{words[f]}") for f in words if f in changed]
