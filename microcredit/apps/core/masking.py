"""Masking of confidential registry data for roles that do not need it (ARCHITECTURE §5)."""


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
