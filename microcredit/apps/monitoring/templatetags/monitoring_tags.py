from django import template

register = template.Library()


@register.filter
def pct(value):
    """0.0123 → "1.23%"."""
    try:
        return f"{float(value) * 100:.2f}%"
    except (TypeError, ValueError):
        return "—"
