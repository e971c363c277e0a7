from django import forms

from microcredit.apps.core.forms import DateInput, DocumentField, MoneyDateField, YuanField
from microcredit.apps.core.params import choice_param, int_param
from microcredit.apps.funds.models import ClaimCause, ClaimStatus
from microcredit.domain.bounds import MAX_YEAR, MIN_YEAR


def claim_filters(params) -> dict:
    """The claim list's filters (page and API) from a query string: ``status``, ``insured=1`` (政银保 only),
    ``paid_year``, ``recovered_year``; a bad value is a DomainError naming it (400/422, never a 500)."""
    return {"status": choice_param(params, "status", ClaimStatus.values),
            "insured": choice_param(params, "insured", ("1",)) == "1",
            "paid_year": int_param(params, "paid_year", lo=MIN_YEAR, hi=MAX_YEAR),
            "recovered_year": int_param(params, "recovered_year", lo=MIN_YEAR, hi=MAX_YEAR)}


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
