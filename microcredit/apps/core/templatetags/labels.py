"""{{ code|label:"vocabulary" }}: a code shown by its label (core.labels, issue #11 §3)."""

from django import template

from microcredit.apps.core.labels import label_of

register = template.Library()


@register.filter
def label(code, vocabulary: str) -> str:
    """``"approve"|label:"workflow_action"`` → 同意; ``state|label:"state:loan_application"`` → 村初审."""
    return label_of(vocabulary, code)
