"""Masking filters for templates: {{ value|id_number_for:see_identity }}."""

from django import template

from microcredit.apps.core.masking import mask_id_number, mask_phone

register = template.Library()


@register.filter
def id_number_for(value, see_identity):
    return value if see_identity else mask_id_number(value)


@register.filter
def phone_for(value, see_identity):
    return value if see_identity else mask_phone(value)
