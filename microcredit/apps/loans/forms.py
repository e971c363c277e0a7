"""Servicing forms: amounts entered in yuan (Decimal), converted to fen here at the edge."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from microcredit.domain.money import yuan_to_fen


class YuanField(forms.DecimalField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return None if value is None else yuan_to_fen(value)


class DateInput(forms.DateInput):
    input_type = "date"


class RepaymentForm(forms.Form):
    amount = YuanField(label="还款金额（元）")
    on = forms.DateField(label="还款日期", widget=DateInput)
    reference = forms.CharField(label="银行流水号", max_length=64, required=False)


class SettlementForm(forms.Form):
    on = forms.DateField(label="结清日期", widget=DateInput)


class ExtensionForm(forms.Form):
    on = forms.DateField(label="办理日期", widget=DateInput)
    extra_months = forms.IntegerField(label="展期月数", min_value=1, max_value=36)
    decision = forms.CharField(label="审批意见（银行决定）", widget=forms.Textarea(attrs={"rows": 2}))


class RenewalForm(forms.Form):
    on = forms.DateField(label="续贷日期", widget=DateInput)
    new_term_months = forms.IntegerField(label="新贷款期限（月）", min_value=1, max_value=36)
    without_principal_repayment = forms.BooleanField(label="无还本续贷", required=False)
    decision = forms.CharField(label="审批意见", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class WriteOffForm(forms.Form):
    on = forms.DateField(label="核销日期", widget=DateInput)
    reason = forms.CharField(label="核销原因", widget=forms.Textarea(attrs={"rows": 2}))


class ReversalForm(forms.Form):
    reason = forms.CharField(label="冲正原因", max_length=200)
