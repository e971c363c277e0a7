"""The household's application form (issue #14 §3): project, amount in yuan, term, bank, borrower.

Bounded like every input (ADR 0006): amounts through ``core.forms.YuanField`` (yuan text → fen, at most
``bounds.MAX_FEN``), texts by length, NUL refused by Django's CharField; the bank among the county's
banks, the borrower among the household's own members.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from microcredit.apps.core.forms import YuanField

INDUSTRIES = ["养殖", "种植", "农产品加工", "乡村旅游", "商贸流通", "手工业", "其他"]
"""The same industries the village station's form offers (origination)."""
MAX_TERM_MONTHS = 120


class ApplyForm(forms.Form):
    industry = forms.ChoiceField(label=_("项目（产业）"), choices=[(i, i) for i in INDUSTRIES])
    purpose = forms.CharField(label=_("贷款用途（例如：养殖肉牛5头）"), max_length=200)
    project_description = forms.CharField(label=_("项目说明（可不填）"), required=False, max_length=1000,
                                          widget=forms.Textarea(attrs={"rows": 3}))
    amount = YuanField(label=_("申请金额（元）"))
    term_months = forms.IntegerField(label=_("期限（月）"), min_value=1, max_value=MAX_TERM_MONTHS, initial=36)
    bank = forms.ModelChoiceField(label=_("贷款银行"), queryset=None, empty_label=None)
    borrower = forms.ModelChoiceField(label=_("借款人"), queryset=None, empty_label=None)

    def __init__(self, *args, household, banks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank"].queryset = banks
        self.fields["borrower"].queryset = household.members.all()
        self.fields["borrower"].initial = household.members.filter(relation="head").first()
        self.fields["term_months"].widget.attrs.update({"inputmode": "numeric"})
        self.fields["bank"].error_messages["invalid_choice"] = _("请选择本县的合作银行")
        self.fields["borrower"].error_messages["invalid_choice"] = _("借款人须是本户家庭成员")
