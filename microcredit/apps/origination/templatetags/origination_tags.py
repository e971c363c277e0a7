"""Template filters of origination: fen → yuan."""

from django import template

from microcredit.domain.money import fen_to_yuan

register = template.Library()


@register.filter
def fen_yuan(value):
    """Integer fen as yuan with two decimals (blank for None)."""
    if value is None or value == "":
        return ""
    return fen_to_yuan(int(value))
