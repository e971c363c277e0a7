"""{{ fen|yuan }}: integer fen shown as yuan with two decimals, exact (domain.money)."""

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
