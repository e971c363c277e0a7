"""Masking of confidential registry data for roles that do not need it (ARCHITECTURE §5)."""

import re

# An 18-digit (or old 15-digit) ID number, a mainland mobile number; not inside longer digit runs.
_ID_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9Xx])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def mask_id_number(value: str) -> str:
    """110101199003071234 → 110101********1234 (keeps region and last four)."""
    if not value or len(value) < 10:
        return value
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678."""
    if not value or len(value) < 7:
        return value
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_text(text: str) -> str:
    """Free text (a job message, an import error) with every ID number and mobile number masked."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group()), text)
