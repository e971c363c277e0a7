"""Money: integer fen, and the one rounding rule of the system (DOMAIN §5, ARCHITECTURE §3).

Every amount in ``microcredit.domain`` is an ``int`` number of fen (分, 0.01 元). Nothing here
or elsewhere uses ``float``. Exact intermediate values are kept as integer fractions
(numerator, denominator) and rounded **once**, by :func:`round_half_up`, where DOMAIN §5–§7
says so. No other module rounds.

Half-up for negative values means half away from zero (like ``decimal.ROUND_HALF_UP``):
-2.5 fen → -3 fen, so that rounding commutes with sign.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

__all__ = ["round_half_up", "round_half_up_decimal", "yuan_to_fen", "fen_to_yuan"]


def round_half_up(numerator: int, denominator: int) -> int:
    """Round the fraction ``numerator / denominator`` to an integer, halves away from zero.

    DOMAIN §5.2 ("rounded half-up to the fen"). Exact integer arithmetic, any sign.

    Args:
        numerator: integer numerator.
        denominator: non-zero integer denominator.

    Returns:
        The nearest integer; exact halves go away from zero.
    """
    if denominator == 0:
        raise ZeroDivisionError("分母不能为 0")
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    if numerator < 0:
        return -((-numerator * 2 + denominator) // (2 * denominator))
    return (numerator * 2 + denominator) // (2 * denominator)


def round_half_up_decimal(x: Decimal) -> int:
    """Round a ``Decimal`` number **of fen** to integer fen, halves away from zero (DOMAIN §5).

    ``round_half_up_decimal(Decimal("19791.5")) == 19792``. Exact (no context precision).
    """
    if not isinstance(x, Decimal) or not x.is_finite():
        raise ValueError("金额必须是有限的十进制数")
    n, d = x.as_integer_ratio()
    return round_half_up(n, d)


def yuan_to_fen(value: str | Decimal | int) -> int:
    """Convert an amount in yuan (元) to integer fen (DOMAIN §5, ARCHITECTURE §3).

    Accepts ``"1234.5"``, ``Decimal("1234.50")``, ``1234``. More than two decimal places of
    value (``"1.005"``) is refused rather than rounded; ``float`` and ``bool`` are refused.

    Raises:
        ValueError: with a Chinese message.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError("金额必须是十进制字符串或整数，不能是浮点数")
    if isinstance(value, int):
        return value * 100
    if isinstance(value, str):
        text = value.strip()
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"金额格式不正确：{text!r}") from None
    if not isinstance(value, Decimal):
        raise ValueError("金额必须是十进制字符串或整数")
    if not value.is_finite():
        raise ValueError("金额必须是有限数")
    n, d = (value * 100).as_integer_ratio()
    if d != 1:
        raise ValueError(f"金额最多两位小数：{value}")
    return n


def fen_to_yuan(fen: int) -> str:
    """Format integer fen as yuan with two decimals: 123450 → ``"1234.50"``, -5 → ``"-0.05"``.

    DOMAIN §5 (amounts at the edges).
    """
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise ValueError("金额（分）必须是整数")
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{cents:02d}"
