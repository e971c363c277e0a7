"""Guards of every money event: the date it may carry and the account it goes to (DOMAIN §4, §5, §7).

A money event (disbursement, repayment, settlement, extension, renewal, write-off, reversal,
risk-fund deposit/interest/payout/recovery, claim step) happens on or before the business date:
the system records what was done, it never books the future. It cannot be earlier than the
event it depends on either (a repayment before the disbursement, an entry before the fund's
account was opened).

Household account numbers (放款账户) are validated when they are entered:

* spaces are ignored (``6217 0000 …`` as printed on the card); anything else but digits is refused;
* 12–19 digits. Chinese bank cards (借记卡) carry 16–19 digits; passbook / settlement account
  numbers (存折账号) of rural banks and credit cooperatives are as short as 12 digits, so 12 is
  the floor; nothing longer than 19 digits is a personal account (ISO/IEC 7812 caps a card at 19);
* **Luhn check** only for UnionPay card numbers: 16–19 digits beginning with ``62`` (the
  UnionPay IIN range; every UnionPay debit card carries a Luhn check digit). Passbook and
  other account numbers follow each bank's own scheme and get no checksum test.
"""

from __future__ import annotations

import datetime as dt

from microcredit.domain.errors import DomainError, FieldError

__all__ = [
    "ACCOUNT_MIN_DIGITS", "ACCOUNT_MAX_DIGITS", "CARD_MIN_DIGITS", "UNIONPAY_PREFIX",
    "money_date_errors", "check_money_date", "normalize_account_number", "luhn_valid",
    "luhn_check_digit", "is_unionpay_card", "account_number_errors", "check_account_number",
]

ACCOUNT_MIN_DIGITS = 12
"""Shortest personal account number accepted (passbook accounts of rural banks)."""
ACCOUNT_MAX_DIGITS = 19
"""Longest personal account / card number (ISO/IEC 7812)."""
CARD_MIN_DIGITS = 16
"""Chinese bank cards carry 16–19 digits."""
UNIONPAY_PREFIX = "62"
"""UnionPay card numbers begin with 62; they carry a Luhn check digit."""

_SPACES = (" ", "\u3000", "\t", "\u00a0")


def money_date_errors(
    on: dt.date, business_day: dt.date, *, earliest: dt.date | None = None, earliest_label: str = "",
    field: str = "on", label: str = "业务日期",
) -> list[FieldError]:
    """Why a money event dated ``on`` may not be recorded on ``business_day`` ([] when it may).

    Args:
        on: the date the event carries.
        business_day: the system's business date (``core.clock.business_date()``).
        earliest: the first date the event may carry (disbursement, approval, account opening).
        earliest_label: what ``earliest`` is, in Chinese (e.g. "放款日").
        field: the input field named in the errors.
        label: what ``on`` is, in Chinese (e.g. "放款日期").
    """
    errors = []
    if on > business_day:
        errors.append(FieldError(field, f"{label} {on.isoformat()} 晚于当前业务日期 {business_day.isoformat()}，"
                                        "不能登记未来日期的资金业务"))
    if earliest is not None and on < earliest:
        errors.append(FieldError(field, f"{label} {on.isoformat()} 早于{earliest_label or '起始日'} "
                                        f"{earliest.isoformat()}"))
    return errors


def check_money_date(on: dt.date, business_day: dt.date, *, earliest: dt.date | None = None,
                     earliest_label: str = "", field: str = "on", label: str = "业务日期",
                     error: type[DomainError] = DomainError) -> None:
    """Raise ``error`` (a DomainError) with every date failure of :func:`money_date_errors`."""
    errors = money_date_errors(on, business_day, earliest=earliest, earliest_label=earliest_label,
                               field=field, label=label)
    if errors:
        raise error(field, "；".join(e.message for e in errors))


def normalize_account_number(raw: str) -> str:
    """The account number without the spaces people type between digit groups."""
    text = raw or ""
    for space in _SPACES:
        text = text.replace(space, "")
    return text


def luhn_valid(digits: str) -> bool:
    """True when the last digit of ``digits`` is its Luhn (mod 10) check digit (ISO/IEC 7812-1)."""
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:  # every second digit from the right is doubled
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def luhn_check_digit(body: str) -> str:
    """The digit that makes ``body + digit`` pass :func:`luhn_valid` (for card numbers in tests/demos)."""
    for d in "0123456789":
        if luhn_valid(body + d):
            return d
    raise ValueError(body)  # unreachable for a string of digits


def is_unionpay_card(digits: str) -> bool:
    """A UnionPay card number: 16–19 digits beginning with 62 (these get the Luhn check)."""
    return digits.startswith(UNIONPAY_PREFIX) and CARD_MIN_DIGITS <= len(digits) <= ACCOUNT_MAX_DIGITS


def account_number_errors(raw: str, field: str = "account_number", label: str = "放款账户") -> list[FieldError]:
    """Why ``raw`` is not a household's account number ([] when it is), DOMAIN §4 (两表一证一卡).

    Digits only after removing spaces; 12–19 digits; the Luhn check digit for UnionPay cards
    (16–19 digits beginning with 62). Other numbers get no checksum test.
    """
    digits = normalize_account_number(raw)
    if not digits:
        return [FieldError(field, f"须填写{label}")]
    if not (digits.isascii() and digits.isdigit()):
        return [FieldError(field, f"{label}只能是数字（可含空格）")]
    if not ACCOUNT_MIN_DIGITS <= len(digits) <= ACCOUNT_MAX_DIGITS:
        return [FieldError(field, f"{label}应为 {ACCOUNT_MIN_DIGITS}–{ACCOUNT_MAX_DIGITS} 位数字"
                                  f"（银行卡 {CARD_MIN_DIGITS}–{ACCOUNT_MAX_DIGITS} 位，存折账号不少于 "
                                  f"{ACCOUNT_MIN_DIGITS} 位），现为 {len(digits)} 位")]
    if is_unionpay_card(digits) and not luhn_valid(digits):
        return [FieldError(field, "卡号校验位错误，请核对银行卡号")]
    return []


def check_account_number(raw: str, field: str = "account_number", label: str = "放款账户",
                         error: type[DomainError] = DomainError) -> str:
    """The normalized account number, or ``error`` naming ``field`` (see :func:`account_number_errors`)."""
    errors = account_number_errors(raw, field, label)
    if errors:
        raise error(field, errors[0].message)
    return normalize_account_number(raw)
