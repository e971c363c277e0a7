"""Plausibility rules of the registry (建档立卡): households and members (DOMAIN §2).

The national system's exports and clerks' typing contain values no real household has: a
member born in 2030 registered as head with labour capacity, 识别年度 2030, phone "12345".
These rules refuse them wherever the registry is written — the file import, the edit forms
and the services — so no path stores what another refuses.

Every rule is a :class:`Rule` (its name, the fields it reads, a check returning
:class:`~microcredit.domain.errors.FieldError` items whose ``field`` is a model attribute and
whose message names the rule and the value, in Chinese). :func:`check_household` and
:func:`check_member` run them all and return every failure at once, like ``policy.RULES``.
``only`` restricts them to rules reading at least one of the given fields: an import or an
edit that does not touch a field is not refused for what is already stored in it.
"today" is always passed in (the shell's business date).

Choices (documented for clerks in docs/user-guide/registry.md):

* 识别年度 and 脱贫年度 lie between :data:`PROGRAM_FIRST_YEAR` (建档立卡 began in 2014,
  国开办发〔2014〕24号) and today's year; 脱贫年度 is not before 识别年度.
* A member's birth date (from the ID number, GB 11643) is not after today.
* A 户主 is at least :data:`HEAD_MIN_AGE` (16: 民法典 第十八条, a 16-year-old living on their
  own labour has full civil capacity; the registry counts labour from 16, DOMAIN §3).
* A member under :data:`LABOUR_MIN_AGE` (16) is 无劳动力 or 丧失劳动力, never 普通/技能/弱劳动力.
* A phone is an 11-digit mobile number 1[3-9]xxxxxxxxx, or a landline: area code 0xx or 0xxx,
  then 7–8 digits not starting with 0 or 1, with or without a hyphen.
* Income per head (元/年) lies between 0 and :data:`INCOME_MAX_FEN` (1,000,000 元).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Callable, Iterable, NamedTuple

from microcredit.domain.errors import FieldError
from microcredit.domain.identity import age_on
from microcredit.domain.money import fen_to_yuan

__all__ = [
    "PROGRAM_FIRST_YEAR", "HEAD_MIN_AGE", "LABOUR_MIN_AGE", "INCOME_MAX_FEN", "WORKING_LABOUR",
    "HouseholdFacts", "MemberFacts", "Rule", "HOUSEHOLD_RULES", "MEMBER_RULES",
    "check_household", "check_member", "normalise_phone", "phone_error", "default_labour",
]

PROGRAM_FIRST_YEAR = 2014
"""The first 识别年度: 建档立卡 began in 2014 (国开办发〔2014〕24号)."""
HEAD_MIN_AGE = 16
"""A 户主 is at least 16 (民法典 第十八条)."""
LABOUR_MIN_AGE = 16
"""Labour capacity counts from 16 (DOMAIN §3: able-bodied members 16–65)."""
INCOME_MAX_FEN = 1_000_000 * 100
"""Income per head above 1,000,000 元 a year is a typing error (the unit was 分, or digits doubled)."""
WORKING_LABOUR = ("full", "skilled", "weak")
"""Labour capacities that say the member works: not plausible under 16."""
LABOUR_LABELS = {"full": "普通劳动力", "skilled": "技能劳动力", "weak": "弱劳动力或半劳动力"}

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?[2-9]\d{6,7}")
_SPACES = re.compile(r"\s+")


class HouseholdFacts(NamedTuple):
    """The household values the rules read (income in fen, DOMAIN §5)."""

    year_registered: int | None = None
    year_exited: int | None = None
    income_per_head: int = 0
    phone: str = ""


class MemberFacts(NamedTuple):
    """The member values the rules read (codes as in the model: relation "head", labour "full" …)."""

    birth_date: dt.date
    relation: str
    labour: str = "none"
    phone: str = ""


class Rule(NamedTuple):
    """One plausibility rule: its Chinese name, the fields it reads, the check."""

    name: str
    reads: frozenset[str]
    check: Callable[..., list[FieldError]]


def normalise_phone(text: str) -> str:
    """A phone as stored: full-width digits and hyphens to ASCII (NFKC), spaces removed."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or ""))


def phone_error(phone: str) -> str | None:
    """None for "" or a plausible (normalised) phone number, else the rule it breaks (Chinese)."""
    if not phone or _MOBILE.fullmatch(phone) or _LANDLINE.fullmatch(phone):
        return None
    return (f"电话“{phone}”不是有效号码（手机号为1开头、第二位3–9的11位数字；"
            "固定电话为0开头的3–4位区号加7–8位号码，如0371-62345678）")


def default_labour(birth_date: dt.date, today: dt.date) -> str:
    """The labour capacity of a new member whose file leaves it empty: 无劳动力 under 16, else 普通劳动力."""
    return "none" if age_on(birth_date, today) < LABOUR_MIN_AGE else "full"


# --- household rules ---------------------------------------------------------------------------


def _year_in_range(field: str, label: str, year: int | None, today: dt.date) -> list[FieldError]:
    if year is None or PROGRAM_FIRST_YEAR <= year <= today.year:
        return []
    return [FieldError(field, f"{label}{year}不合理（须在{PROGRAM_FIRST_YEAR}年至今年{today.year}年之间）")]


def _registered_year(h: HouseholdFacts, today: dt.date) -> list[FieldError]:
    return _year_in_range("year_registered", "识别年度", h.year_registered, today)


def _exited_year(h: HouseholdFacts, today: dt.date) -> list[FieldError]:
    return _year_in_range("year_exited", "脱贫年度", h.year_exited, today)


def _exited_after_registered(h: HouseholdFacts, today: dt.date) -> list[FieldError]:
    if h.year_exited is None or h.year_registered is None or h.year_exited >= h.year_registered:
        return []
    return [FieldError("year_exited", f"脱贫年度{h.year_exited}早于识别年度{h.year_registered}")]


def _income(h: HouseholdFacts, today: dt.date) -> list[FieldError]:
    if 0 <= h.income_per_head <= INCOME_MAX_FEN:
        return []
    return [FieldError("income_per_head",
                       f"人均纯收入{fen_to_yuan(h.income_per_head)}元不合理（须在0至{INCOME_MAX_FEN // 100:,}元之间，以元为单位）")]


def _household_phone(h: HouseholdFacts, today: dt.date) -> list[FieldError]:
    error = phone_error(h.phone)
    return [FieldError("phone", error)] if error else []


HOUSEHOLD_RULES: tuple[Rule, ...] = (
    Rule("识别年度", frozenset({"year_registered"}), _registered_year),
    Rule("脱贫年度", frozenset({"year_exited"}), _exited_year),
    Rule("脱贫不早于识别", frozenset({"year_registered", "year_exited"}), _exited_after_registered),
    Rule("人均纯收入", frozenset({"income_per_head"}), _income),
    Rule("联系电话", frozenset({"phone"}), _household_phone),
)


# --- member rules ------------------------------------------------------------------------------


def _born_by_today(m: MemberFacts, today: dt.date) -> list[FieldError]:
    if m.birth_date <= today:
        return []
    return [FieldError("birth_date", f"身份证号中的出生日期{m.birth_date.isoformat()}晚于今天（{today.isoformat()}）")]


def _head_is_adult(m: MemberFacts, today: dt.date) -> list[FieldError]:
    if m.relation != "head" or m.birth_date > today:  # a future birth is reported once, above
        return []
    age = age_on(m.birth_date, today)
    if age >= HEAD_MIN_AGE:
        return []
    return [FieldError("relation", f"户主须年满{HEAD_MIN_AGE}周岁（出生于{m.birth_date.isoformat()}，现{age}岁）")]


def _labour_fits_age(m: MemberFacts, today: dt.date) -> list[FieldError]:
    if m.labour not in WORKING_LABOUR or m.birth_date > today:
        return []
    age = age_on(m.birth_date, today)
    if age >= LABOUR_MIN_AGE:
        return []
    return [FieldError("labour", f"未满{LABOUR_MIN_AGE}周岁（现{age}岁）的成员不能登记为“{LABOUR_LABELS[m.labour]}”，"
                                 "应为“无劳动力”或“丧失劳动力”")]


def _member_phone(m: MemberFacts, today: dt.date) -> list[FieldError]:
    error = phone_error(m.phone)
    return [FieldError("phone", error)] if error else []


MEMBER_RULES: tuple[Rule, ...] = (
    Rule("出生日期", frozenset({"birth_date"}), _born_by_today),
    Rule("户主年龄", frozenset({"birth_date", "relation"}), _head_is_adult),
    Rule("劳动能力与年龄", frozenset({"birth_date", "labour"}), _labour_fits_age),
    Rule("成员电话", frozenset({"phone"}), _member_phone),
)


def _run(rules: tuple[Rule, ...], facts: NamedTuple, today: dt.date, only: Iterable[str] | None) -> list[FieldError]:
    wanted = None if only is None else frozenset(only)
    out: list[FieldError] = []
    for rule in rules:
        if wanted is None or rule.reads & wanted:
            out.extend(rule.check(facts, today))
    return out


def check_household(household: HouseholdFacts, *, today: dt.date,
                    only: Iterable[str] | None = None) -> list[FieldError]:
    """Every failed household rule (DOMAIN §2); ``only``: just the rules reading these fields."""
    return _run(HOUSEHOLD_RULES, household, today, only)


def check_member(member: MemberFacts, *, today: dt.date, only: Iterable[str] | None = None) -> list[FieldError]:
    """Every failed member rule (DOMAIN §2); ``only``: just the rules reading these fields."""
    return _run(MEMBER_RULES, member, today, only)
