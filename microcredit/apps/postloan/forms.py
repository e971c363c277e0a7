"""Forms of the post-loan pages (ADR 0006): bounded input, Chinese messages at the field."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from microcredit.apps.core.forms import DateInput, DocumentField
from microcredit.apps.postloan.models import CheckResult, FlagKind
from microcredit.domain.bounds import MAX_ID
from microcredit.domain.postloan import MAX_FINDING, MAX_REASON


class FlagSetForm(forms.Form):
    kind = forms.ChoiceField(label=_("风险类型"), choices=FlagKind.choices)
    reason = forms.CharField(label=_("原因"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2}))
    loan = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    household = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


class FlagClearForm(forms.Form):
    reason = forms.CharField(label=_("解除原因"), max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2}))


class CheckForm(forms.Form):
    loan = forms.IntegerField(label=_("贷款"), min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    result = forms.ChoiceField(label=_("检查结论"), choices=CheckResult.choices, widget=forms.RadioSelect)
    checked_on = forms.DateField(label=_("检查日期"), widget=DateInput)
    finding = forms.CharField(label=_("检查情况（用途是否与申请一致、经营情况）"), max_length=MAX_FINDING, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    photo = DocumentField(label=_("照片（可选，JPG/PNG/PDF）"), required=False)
    latitude = forms.DecimalField(label=_("纬度（可选）"), required=False, max_digits=9, decimal_places=6,
                                  min_value=Decimal(-90), max_value=Decimal(90))
    longitude = forms.DecimalField(label=_("经度（可选）"), required=False, max_digits=9, decimal_places=6,
                                   min_value=Decimal(-180), max_value=Decimal(180))
