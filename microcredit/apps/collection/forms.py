"""The record-visit form (上门/电话/短信/其他, result, promise, photo, note) and the list filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from microcredit.apps.collection.models import Channel, Result
from microcredit.apps.core.forms import DateInput, DocumentField, MoneyDateField, YuanField
from microcredit.domain import collection as rules


class ActionForm(forms.Form):
    on = MoneyDateField(label=_("催收日期"))
    channel = forms.ChoiceField(label=_("催收方式"), choices=Channel.choices,
                                initial=Channel.VISIT)
    result = forms.ChoiceField(label=_("催收结果"), choices=Result.choices)
    promised_on = forms.DateField(label=_("承诺还款日期"), required=False, widget=DateInput)
    promised_amount = YuanField(label=_("承诺还款金额（元）"), required=False)
    note = forms.CharField(label=_("情况说明"), max_length=rules.MAX_NOTE, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    photo = DocumentField(label=_("照片（可选，JPG/PNG/PDF）"), required=False)


class CloseForm(forms.Form):
    note = forms.CharField(label=_("结案说明"), max_length=rules.MAX_NOTE, required=False)
