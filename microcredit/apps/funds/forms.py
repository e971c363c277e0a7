from django import forms

from microcredit.apps.funds.models import ClaimCause
from microcredit.apps.core.forms import DateInput, DocumentField, MoneyDateField, YuanField


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label="业务", choices=[("deposit", "存入"), ("top_up", "补充"), ("interest", "利息"),
                                                  ("transfer_out", "调出至县级预算")])
    amount = YuanField(label="金额（元）")
    on = MoneyDateField(label="记账日期")
    memo = forms.CharField(label="摘要", max_length=200, required=False)


class ClaimForm(forms.Form):
    loan_number = forms.CharField(label="借据号", max_length=32)
    cause = forms.ChoiceField(label="代偿原因", choices=ClaimCause.choices)
    cause_detail = forms.CharField(label="原因说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    collection_note = forms.CharField(label="催收情况", widget=forms.Textarea(attrs={"rows": 2}))
    evidence = DocumentField(label="证明材料（死亡证明、催收记录等）", required=False)


class BatchForm(forms.Form):
    period = forms.ChoiceField(label="期间", choices=[("month", "月度"), ("quarter", "季度")])
    start = forms.DateField(label="期间内任一日", widget=DateInput)
    mode = forms.ChoiceField(label="方式", choices=[("claim", "先收后补"), ("direct", "直接贴付")])


class StepForm(forms.Form):
    action = forms.CharField(max_length=16)
    opinion = forms.CharField(required=False, max_length=500)
