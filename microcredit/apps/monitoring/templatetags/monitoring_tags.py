from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def pct(value):
    """0.0123 → "1.23%"."""
    try:
        return f"{float(value) * 100:.2f}%"
    except (TypeError, ValueError):
        return "—"


LEVEL_PARAM = {"village": "village", "township": "township"}  # other levels: a region-code prefix


@register.filter
def loans_of(row, extra: str = ""):
    """The loan list behind an indicator row: its region (by the picker's filter), 在贷, plus ``extra``
    ("light=red", "dpd=1+" …) — the list's count is the row's figure (issue #11 §4)."""
    query = {LEVEL_PARAM.get(row.level, "region"): row.code, "status": "active"}
    query.update(part.split("=", 1) for part in extra.split("&") if part)
    return f"{reverse('loans:list')}?{urlencode(query)}"
