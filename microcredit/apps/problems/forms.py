"""Forms of the problem ledger: open a case by hand, take a step (with owner, deadline, rectification
and evidence where the step needs them)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from microcredit.apps.core.forms import DateInput, DocumentField
from microcredit.domain.bounds import MAX_DATE, MIN_DATE
from microcredit.domain.problems import (
    MAX_DESCRIPTION,
    MAX_RECTIFICATION,
    MAX_TITLE,
    OWNER_ROLES,
    SOURCES,
)
from microcredit.domain.workflow import PROBLEM_CASE

MANUAL_SOURCES = [(k, v) for k, v in SOURCES.items() if k != "reconciliation"]


class CaseForm(forms.Form):
    source = forms.ChoiceField(label=_("问题来源"), choices=MANUAL_SOURCES)
    region_code = forms.ChoiceField(label=_("所属区划"), choices=())
    title = forms.CharField(label=_("问题标题"), max_length=MAX_TITLE)
    description = forms.CharField(label=_("问题描述"), max_length=MAX_DESCRIPTION, required=False, widget=forms.Textarea)
    subject = forms.CharField(label=_("涉及对象（农户、贷款、银行等）"), max_length=200, required=False)
    bank_code = forms.ChoiceField(label=_("关联银行"), choices=(), required=False)

    def __init__(self, *args, regions=(), banks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = list(regions)
        self.fields["bank_code"].choices = [("", "—")] + list(banks)


class StepForm(forms.Form):
    action = forms.ChoiceField(choices=sorted({(t.action, t.action) for t in PROBLEM_CASE.transitions}))
    opinion = forms.CharField(label=_("意见"), max_length=1000, required=False)
    owner_role = forms.ChoiceField(label=_("整改责任单位"), choices=[("", "—")] + list(OWNER_ROLES.items()), required=False)
    owner_region = forms.ChoiceField(label=_("整改责任区划"), choices=(), required=False)
    deadline = forms.DateField(label=_("整改期限"), widget=DateInput, required=False)
    rectification = forms.CharField(label=_("整改情况"), max_length=MAX_RECTIFICATION, required=False,
                                    widget=forms.Textarea)
    document = DocumentField(label=_("整改佐证材料"), required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_region"].choices = [("", "—")] + list(regions)

    def clean_deadline(self):
        day = self.cleaned_data.get("deadline")
        if day is not None and not MIN_DATE <= day <= MAX_DATE:
            raise forms.ValidationError(_("整改期限不在有效范围内"))
        return day
