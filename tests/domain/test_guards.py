"""Guards of money events (issue #8 §2, #9 §1): dates, account numbers, commitment rules, four eyes."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microcredit.domain.errors import DomainError
from microcredit.domain.guards import (
    account_number_errors, check_account_number, check_money_date, luhn_check_digit, luhn_valid,
    money_date_errors, normalize_account_number,
)
from microcredit.domain.policy import (
    AT_BANK_DECISION, AT_DISBURSEMENT, Breaker, Commitment, FundQuota, Suspensions, check_commitment,
)
from microcredit.domain.workflow import segregation_errors

TODAY = date(2026, 12, 3)
DISBURSED = date(2026, 1, 10)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


# ---------------------------------------------------------------- dates

def test_future_money_date_is_refused_naming_both_dates():
    errors = money_date_errors(date(2027, 3, 1), TODAY, field="disbursed_on", label="放款日期")
    assert [e.field for e in errors] == ["disbursed_on"]
    assert "2027-03-01" in errors[0].message and "2026-12-03" in errors[0].message


def test_business_date_itself_and_earliest_itself_are_allowed():
    assert money_date_errors(TODAY, TODAY, earliest=DISBURSED) == []
    assert money_date_errors(DISBURSED, TODAY, earliest=DISBURSED) == []


def test_before_earliest_is_refused():
    errors = money_date_errors(DISBURSED - timedelta(days=1), TODAY, earliest=DISBURSED, earliest_label="放款日")
    assert len(errors) == 1 and "早于放款日 2026-01-10" in errors[0].message


@given(on=days, today=days, earliest=st.none() | days)
def test_a_date_passes_exactly_when_it_lies_between_earliest_and_today(on, today, earliest):
    ok = on <= today and (earliest is None or on >= earliest)
    assert (money_date_errors(on, today, earliest=earliest) == []) is ok


def test_check_money_date_raises_the_given_error_class():
    class Refused(DomainError):
        pass

    with pytest.raises(Refused) as exc:
        check_money_date(TODAY + timedelta(days=1), TODAY, field="on", error=Refused)
    assert exc.value.field == "on"


# ---------------------------------------------------------------- account numbers

VALID_CARD = "6217000010001234569"  # UnionPay, 19 digits


@pytest.mark.parametrize("raw, message", [
    ("abc", "放款账户只能是数字"),
    ("6217-0000-1000-1234-569", "放款账户只能是数字"),
    ("", "须填写放款账户"),
    ("   ", "须填写放款账户"),
    ("６２１７０００", "只能是数字"),  # full-width digits are not ASCII digits
    ("62300123", "应为 12–19 位数字"),
    ("6230012345", "现为 10 位"),  # the demo generator's numbers
    ("62170000100012345690", "现为 20 位"),
    ("6217000010001234568", "卡号校验位错误"),
    ("6230001000200030000", "卡号校验位错误"),
])
def test_bad_account_numbers_are_refused_in_chinese(raw, message):
    errors = account_number_errors(raw)
    assert len(errors) == 1 and errors[0].field == "account_number"
    assert message in errors[0].message


@pytest.mark.parametrize("raw", [
    VALID_CARD,
    "6217 0000 1000 1234 569",  # as printed on the card
    "6230001000200030001",
    "123456789012",  # a 12-digit passbook account: no checksum
    "4367420012345678",  # not UnionPay (62): no Luhn test, 16 digits
    "621700001000123",  # 15 digits beginning with 62: not a card length, so a passbook number
])
def test_good_account_numbers_pass(raw):
    assert account_number_errors(raw) == []


def test_check_account_number_returns_the_digits():
    assert check_account_number("6217 0000 1000 1234 569") == VALID_CARD
    assert normalize_account_number("6217\u30000000") == "62170000"


def _luhn_reference(number: str) -> bool:
    """Luhn written the other way round (doubling from the left according to parity), to compare."""
    digits = [int(c) for c in number]
    parity = len(digits) % 2
    total = 0
    for i, d in enumerate(digits):
        if i % 2 == parity:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


card_bodies = st.text(alphabet="0123456789", min_size=14, max_size=16).map(lambda s: "62" + s)


@given(body=card_bodies)
def test_the_computed_check_digit_always_passes_and_every_other_digit_fails(body):
    good = luhn_check_digit(body)
    assert luhn_valid(body + good)
    assert account_number_errors(body + good) == []
    for d in "0123456789":
        if d != good:
            assert not luhn_valid(body + d)
            assert "卡号校验位错误" in account_number_errors(body + d)[0].message


@given(number=st.text(alphabet="0123456789", min_size=1, max_size=25))
def test_luhn_agrees_with_an_independent_formulation(number):
    assert luhn_valid(number) is _luhn_reference(number)


@given(body=card_bodies, i=st.integers(min_value=0, max_value=17), delta=st.integers(min_value=1, max_value=9))
def test_luhn_catches_every_single_digit_error(body, i, delta):
    card = body + luhn_check_digit(body)
    i %= len(card)
    wrong = card[:i] + str((int(card[i]) + delta) % 10) + card[i + 1:]
    assert not luhn_valid(wrong)


@given(raw=st.text(max_size=30))
def test_any_text_gets_an_answer_never_an_exception(raw):
    errors = account_number_errors(raw)
    digits = normalize_account_number(raw)
    if not errors:
        assert digits.isascii() and digits.isdigit() and 12 <= len(digits) <= 19


# ---------------------------------------------------------------- commitment rules (DOMAIN §4, §7, §8)

def rules_of(failures):
    return [(f.rule, f.field) for f in failures]


@pytest.mark.parametrize("rules", [AT_BANK_DECISION, AT_DISBURSEMENT])
def test_commitment_passes_when_nothing_changed(rules):
    assert check_commitment(rules, Commitment(amount=3_000_000, quota=FundQuota(1_000_000, 10, 7_000_000))) == []


@pytest.mark.parametrize("rules", [AT_BANK_DECISION, AT_DISBURSEMENT])
def test_commitment_reports_every_failure_at_once(rules):
    c = Commitment(amount=3_000_001, outstanding_policy_loans=1,
                   suspensions=Suspensions(village=Breaker("不良率 6.2% 超过 5%", date(2026, 11, 30)),
                                           township=False, bank="不良率 3.4%"),
                   quota=FundQuota(1_000_000, 10, 7_000_000))
    failures = check_commitment(rules, c)
    assert rules_of(failures) == [("在贷余额", "household"), ("熔断", "region"), ("熔断", "bank"), ("风险补偿金", "bank")]
    village = failures[1].message
    assert "所在村" in village and "自 2026-11-30 起" in village and "不良率 6.2%" in village
    quota = failures[3].message
    assert "额度 100000.00 元" in quota and "已贷 70000.00 元" in quota and "本笔 30000.01 元" in quota


# ---------------------------------------------------------------- segregation of duties

def test_the_submitter_may_not_approve_the_next_step():
    errors = segregation_errors("approve", 7, 7, "submit")
    assert errors and errors[0].field == "actor" and "职责分离" in errors[0].message and "提交" in errors[0].message


def test_the_approver_may_not_approve_the_next_step_too():
    assert segregation_errors("approve", 7, 7, "approve")


@pytest.mark.parametrize("action, actor, previous", [
    ("approve", 7, 8),  # another person
    ("approve", None, None),  # the system / demo generator
    ("approve", None, 7),
    ("approve", 7, None),  # the previous step was the system's
    ("return", 7, 7),  # returning one's own submission approves nothing
    ("reject", 7, 7),
    ("submit", 7, 7),
])
def test_segregation_allows(action, actor, previous):
    assert segregation_errors(action, actor, previous, "submit") == []
