"""{{ fen|yuan }}: integer fen shown as yuan with two decimals."""

from django import template

from microcredit.domain.money import fen_to_yuan

register = template.Library()


@register.filter
def yuan(value):
    if value is None or value == "":
        return "—"
    try:
        return fen_to_yuan(int(value))
    except (TypeError, ValueError):
        return value
