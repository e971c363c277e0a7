"""{{ fen|yuan }}: integer fen shown as yuan with two decimals, exact (domain.money)."""

from decimal import Decimal

from django import template

from microcredit.domain.money import fen_to_yuan

register = template.Library()


@register.filter
def yuan(value):
    """Integer fen → "1234.50" (— for no value). Never through float."""
    if value is None or value == "":
        return "—"
    try:
        return fen_to_yuan(int(value))
    except (TypeError, ValueError):
        return value


@register.filter
def rate(value):
    """An annual rate in percent as a contract states it: Decimal("3.0000") → "3", "4.3500" → "4.35"."""
    if value is None or value == "":
        return "—"
    try:
        return format(Decimal(value).normalize(), "f")
    except (TypeError, ValueError, ArithmeticError):
        return value
