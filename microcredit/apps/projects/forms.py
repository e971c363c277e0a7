"""Forms of a project's page: record a payout, plan and release a stage, grade the project."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from microcredit.apps.core.forms import DocumentField, MoneyDateField, YuanField
from microcredit.domain.projects import GRADES


class PayoutForm(forms.Form):
    payout = forms.ChoiceField(label=_("应付分红"), choices=())
    amount = YuanField(label=_("实付金额（元）"))
    paid_on = MoneyDateField(label=_("支付日期"))

    def __init__(self, *args, payouts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payout"].choices = list(payouts)


class StageForm(forms.Form):
    planned_amount = YuanField(label=_("计划拨付（元）"))


class ReleaseForm(forms.Form):
    stage = forms.ChoiceField(label=_("期次"), choices=())
    released_amount = YuanField(label=_("拨付金额（元）"))
    released_on = MoneyDateField(label=_("拨付日期"))
    progress_note = forms.CharField(label=_("项目进度说明"), max_length=2000, widget=forms.Textarea)
    progress_document = DocumentField(label=_("项目进度佐证"), required=False)

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = list(stages)


class GradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("分级"), choices=list(GRADES.items()))
    white_listed = forms.BooleanField(label=_("列入白名单"), required=False)
    reason = forms.CharField(label=_("理由"), max_length=500, required=False)
