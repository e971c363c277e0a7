"""Plausibility rules of the registry (DOMAIN §2): birth date from the ID vs today, 户主 age,
labour vs age, 识别/脱贫年度, phone numbers, income per head — every failure at once."""

import datetime as dt

import pytest
from hypothesis import given, strategies as st

from microcredit.domain.identity import make_id_number, parse_id_number
from microcredit.domain.registry import (
    HEAD_MIN_AGE, INCOME_MAX_FEN, PROGRAM_FIRST_YEAR, HouseholdFacts, MemberFacts, check_household,
    check_member, default_labour, normalise_phone, phone_error,
)

TODAY = dt.date(2026, 12, 3)


def fields(failures):
    return [f.field for f in failures]


# --- the examples ------------------------------------------------------------------------


def test_a_member_born_2030_is_refused_naming_the_birth_date_and_today():
    idn = make_id_number("411224", dt.date(2030, 5, 1), 1, True)
    failures = check_member(MemberFacts(parse_id_number(idn).birth_date, "head", "full"), today=TODAY)
    assert failures == [("birth_date", "身份证号中的出生日期2030-05-01晚于今天（2026-12-03）")]


def test_a_household_registered_in_2030_with_phone_12345_gets_every_failure_at_once():
    failures = check_household(HouseholdFacts(year_registered=2030, year_exited=2029, phone="12345"), today=TODAY)
    assert fields(failures) == ["year_registered", "year_exited", "year_exited", "phone"]
    assert failures[0].message == "识别年度2030不合理（须在2014年至今年2026年之间）"
    assert failures[2].message == "脱贫年度2029早于识别年度2030"
    assert "“12345”" in failures[3].message


# --- years --------------------------------------------------------------------------------------


@pytest.mark.parametrize("registered, exited, bad", [
    (2014, None, []), (2026, 2026, []), (2015, 2015, []), (None, 2020, []), (None, None, []),
    (2013, None, ["year_registered"]), (2027, None, ["year_registered"]),
    (2015, 2027, ["year_exited"]), (None, 2010, ["year_exited"]), (2019, 2016, ["year_exited"]),
])
def test_years_lie_between_the_programs_start_and_this_year_and_exit_not_before_registration(registered, exited, bad):
    assert fields(check_household(HouseholdFacts(registered, exited), today=TODAY)) == bad


@given(st.integers(min_value=1900, max_value=2200))
def test_year_registered_passes_exactly_inside_the_program_years(year):
    ok = not check_household(HouseholdFacts(year_registered=year), today=TODAY)
    assert ok == (PROGRAM_FIRST_YEAR <= year <= TODAY.year)


# --- income -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fen, ok", [(0, True), (350050, True), (INCOME_MAX_FEN, True),
                                     (INCOME_MAX_FEN + 1, False), (-1, False)])
def test_income_per_head_between_0_and_a_million_yuan(fen, ok):
    failures = check_household(HouseholdFacts(income_per_head=fen), today=TODAY)
    assert (not failures) == ok
    if not ok:
        assert failures[0].field == "income_per_head" and "1,000,000元" in failures[0].message


# --- phones -------------------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["", "13800001111", "19912345678", "0371-62345678", "037162345678",
                                   "010-62345678", "01062345678", "0391-2345678", "03912345678"])
def test_plausible_phones(phone):
    assert phone_error(phone) is None


@pytest.mark.parametrize("phone", ["12345", "12800001111", "1380000111", "138000011112", "0371-0234567",
                                   "0371-623456", "371-62345678", "0371-12345678", "abc", "1380000111a", "0371--2345678"])
def test_implausible_phones(phone):
    assert phone_error(phone) is not None and phone in phone_error(phone)


def test_phones_are_normalised_from_full_width_and_spaces():
    assert normalise_phone("１３８ ００００ １１１１") == "13800001111"
    assert normalise_phone(" 0371－62345678 ") == "0371-62345678"
    assert phone_error(normalise_phone("１３８ ００００ １１１１")) is None


@given(st.sampled_from("3456789"), st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_every_mobile_number_shape_passes(second, rest):
    assert phone_error("1" + second + rest) is None


@given(st.text(alphabet="0123456789", min_size=1, max_size=16).filter(lambda s: s[0] != "0" and len(s) != 11))
def test_digit_strings_not_11_long_and_not_landlines_fail(digits):
    assert phone_error(digits) is not None


# --- members ------------------------------------------------------------------------------------


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)), st.integers(0, 499), st.booleans())
def test_any_valid_id_passes_the_birth_rule_exactly_when_born_by_today(birth, seq, male):
    idn = make_id_number("411224", birth, seq, male)
    member = MemberFacts(parse_id_number(idn).birth_date, "child", "none")
    failures = check_member(member, today=TODAY)
    assert (not failures) == (birth <= TODAY)
    assert fields(failures) in ([], ["birth_date"])


@pytest.mark.parametrize("birth, ok", [
    (dt.date(2010, 12, 3), True),   # 16 today
    (dt.date(2010, 12, 4), False),  # 16 tomorrow
    (dt.date(1950, 1, 1), True),
])
def test_a_head_is_at_least_16(birth, ok):
    failures = check_member(MemberFacts(birth, "head", "none"), today=TODAY)
    assert fields(failures) == ([] if ok else ["relation"])
    if not ok:
        assert failures[0].message == f"户主须年满{HEAD_MIN_AGE}周岁（出生于2010-12-04，现15岁）"


@pytest.mark.parametrize("labour, ok", [("full", False), ("skilled", False), ("weak", False),
                                        ("none", True), ("lost", True)])
def test_a_child_under_16_has_no_labour_capacity(labour, ok):
    failures = check_member(MemberFacts(dt.date(2016, 6, 1), "child", labour), today=TODAY)
    assert fields(failures) == ([] if ok else ["labour"])


def test_a_15_year_old_head_working_with_a_bad_phone_gets_three_failures():
    failures = check_member(MemberFacts(dt.date(2011, 1, 1), "head", "full", "12345"), today=TODAY)
    assert fields(failures) == ["relation", "labour", "phone"]


def test_only_restricts_to_the_rules_reading_those_fields():
    stored = HouseholdFacts(year_registered=2030, phone="12345")
    assert fields(check_household(stored, today=TODAY, only={"income_per_head"})) == []
    assert fields(check_household(stored, today=TODAY, only={"phone"})) == ["phone"]
    child = MemberFacts(dt.date(2016, 6, 1), "child", "full", "12345")
    assert fields(check_member(child, today=TODAY, only={"health"})) == []
    assert fields(check_member(child, today=TODAY, only={"labour"})) == ["labour"]


def test_default_labour_of_a_new_member_follows_age():
    assert default_labour(dt.date(2016, 6, 1), TODAY) == "none"
    assert default_labour(dt.date(1980, 6, 1), TODAY) == "full"
