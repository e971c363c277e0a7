"""Form fields of the money edge (ADR 0006, issue #10 §6): yuan typed by a person, integer fen inside.

:class:`YuanField` is the one form field for an amount. It reads what people type and bank
statements print ("1,234.50", "１２３４．５", "¥1234.50", "1234.5 元") through
:func:`microcredit.domain.cells.parse_amount` — the same parser, bounds and Chinese messages as
every uploaded file — and cleans to ``int`` fen. No ``float`` and no ``* 100`` anywhere.
:class:`MoneyDateField` is the date of a money event: refused at the field when after the business date.
"""

from __future__ import annotations

from django import forms

from microcredit.apps.core.clock import business_date
from microcredit.domain.bounds import MAX_FEN
from microcredit.domain.cells import CellError, parse_amount
from microcredit.domain.guards import money_date_errors
from microcredit.domain.money import fen_to_yuan

__all__ = ["DateInput", "MoneyDateField", "YuanField"]


class YuanField(forms.CharField):
    """An amount in yuan (at most two decimals) cleaned to integer fen in [``min_fen``, ``max_fen``].

    ``initial`` may be fen (``int``, shown as "1234.50") or yuan text. ``min_fen`` defaults to one
    fen (a payment, a loan); pass ``min_fen=0`` where nothing is a valid answer (an income).
    """

    widget = forms.TextInput

    def __init__(self, *, min_fen: int = 1, max_fen: int = MAX_FEN, **kwargs) -> None:
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.min_fen, self.max_fen = min_fen, max_fen

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return fen_to_yuan(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            fen = parse_amount(text, field=str(self.label or "金额"), max_fen=self.max_fen)
        except CellError as exc:
            raise forms.ValidationError(exc.message, code="amount") from None
        if fen < self.min_fen:
            raise forms.ValidationError(f"金额不能小于 {fen_to_yuan(self.min_fen)} 元", code="min_amount")
        return fen

    def validate(self, value):
        if value is None and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value):  # CharField's max_length validator applies to the text, not the fen
        return None

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (self.to_python(self.prepare_value(initial)) if initial not in (None, "") else None)
        except forms.ValidationError:
            return True


class DateInput(forms.DateInput):
    """The browser's date picker. Its value must be ISO (``2026-12-03``) whatever the locale's
    display format — with the locale's ``2026/12/03`` the input opens blank."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format=format)


class MoneyDateField(forms.DateField):
    """The date of a money event: not after the business date; the business date unless told."""

    widget = DateInput

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("initial", business_date)
        super().__init__(**kwargs)

    def clean(self, value):
        day = super().clean(value)
        if day is not None:
            errors = money_date_errors(day, business_date(), label=str(self.label or "日期"))
            if errors:
                raise forms.ValidationError(errors[0].message)
        return day
