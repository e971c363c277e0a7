"""Forms of origination: amounts typed in yuan, cleaned to fen by ``core.forms.YuanField``."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from microcredit.apps.core.forms import DocumentField, MoneyDateField, YuanField
from microcredit.apps.loans.selectors import UsageMode
from microcredit.apps.reference.selectors import bank_list
from microcredit.domain.guards import account_number_errors, normalize_account_number
from microcredit.domain.schedules import METHOD_LABELS

INDUSTRIES = ["养殖", "种植", "农产品加工", "乡村旅游", "商贸流通", "手工业", "其他"]


class ApplicationForm(forms.Form):
    borrower = forms.ModelChoiceField(label="借款人", queryset=None)
    bank = forms.ModelChoiceField(label="贷款银行", queryset=bank_list())
    amount = YuanField(label="申请金额（元）")
    term_months = forms.IntegerField(label="期限（月）", min_value=1, max_value=120, initial=36)
    usage_mode = forms.ChoiceField(label="使用方式", choices=UsageMode.choices, initial="self")
    industry = forms.ChoiceField(label="产业", choices=[(i, i) for i in INDUSTRIES])
    purpose = forms.CharField(label="贷款用途", max_length=200)
    project_description = forms.CharField(label="项目说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    partner_name = forms.CharField(label="合作主体（合伙/合作社方式必填）", required=False, max_length=64)
    application_form = DocumentField(label="贷款申请表", required=False)
    survey_form = DocumentField(label="入户调查表", required=False)
    id_card = DocumentField(label="身份证", required=False)
    bank_card = DocumentField(label="银行卡", required=False)
    link_agreement = DocumentField(label="带贫（利益联结）协议", required=False)

    DOCUMENT_FIELDS = ("application_form", "survey_form", "id_card", "bank_card", "link_agreement")

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["borrower"].queryset = household.members.all()
        self.fields["borrower"].initial = household.members.filter(relation="head").first()

    def amount_fen(self) -> int:
        return self.cleaned_data["amount"]

    def documents(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.DOCUMENT_FIELDS if self.cleaned_data.get(k)}


class TransitionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    opinion = forms.CharField(label="审批意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DisburseForm(forms.Form):
    amount = YuanField(label="合同金额（元）")
    term_months = forms.IntegerField(label="期限（月）", min_value=1, max_value=120)
    annual_rate = forms.DecimalField(label="执行年利率（%）", min_value=Decimal("0"), max_digits=7, decimal_places=4)
    method = forms.ChoiceField(label="还款方式", choices=list(METHOD_LABELS.items()))
    disbursed_on = MoneyDateField(label="放款日期")
    account_number = forms.CharField(label="放款账户", max_length=32,
                                     help_text="银行卡号 16–19 位或存折账号 12–19 位，可含空格；银联卡（62 开头）校验卡号校验位")

    def clean_account_number(self) -> str:
        raw = self.cleaned_data["account_number"]
        errors = account_number_errors(raw)
        if errors:
            raise forms.ValidationError(errors[0].message)
        return normalize_account_number(raw)
