"""Forms for reference data: input is validated here, the services assume clean input."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from microcredit.apps.core.forms import DateInput
from microcredit.apps.reference.models import PolicyEra, ReferenceRate
from microcredit.domain.households import HOUSEHOLD_STATUS_LABELS
from microcredit.domain.rates import TENORS

_RATE = dict(max_digits=7, decimal_places=4, min_value=Decimal("0"), max_value=Decimal("99"))


class RateRecordForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=ReferenceRate.KIND_CHOICES)
    tenor = forms.ChoiceField(label="期限", choices=ReferenceRate.TENOR_CHOICES)
    effective_from = forms.DateField(label="生效日期", widget=DateInput)
    rate = forms.DecimalField(label="年利率（%）", **_RATE)
    reason = forms.CharField(label="说明", max_length=200, required=False)

    def clean(self):
        data = super().clean()
        kind, tenor = data.get("kind"), data.get("tenor")
        if kind and tenor and tenor not in TENORS[kind]:
            self.add_error("tenor", f"该类型的期限只能是：{'、'.join(TENORS[kind])}")
        elif kind and tenor and data.get("effective_from") and ReferenceRate.objects.current().filter(
            kind=kind, tenor=tenor, effective_from=data["effective_from"]
        ).exists():
            self.add_error("effective_from", "该日期已有此利率，请在列表中点“修订”")
        return data


class RateReviseForm(forms.Form):
    rate = forms.DecimalField(label="新年利率（%）", **_RATE)
    reason = forms.CharField(label="修订原因", max_length=200)


class PolicyEraForm(forms.ModelForm):
    eligible_statuses = forms.MultipleChoiceField(
        label="可贷对象身份", choices=list(HOUSEHOLD_STATUS_LABELS.items()), widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(label="修订原因", max_length=200)

    class Meta:
        model = PolicyEra
        fields = [
            "name", "effective_from", "max_amount", "max_term_months", "rate_basis", "cap_rate",
            "eligible_statuses", "min_age", "max_age", "subsidy_ratio", "subsidy_max_years",
        ]
        widgets = {"effective_from": DateInput}

    def clean(self):
        data = super().clean()
        if data.get("rate_basis") == "setting" and data.get("cap_rate") is None:
            self.add_error("cap_rate", "利率上限依据为“按设定上限”时必须填写设定利率上限")
        if data.get("min_age") and data.get("max_age") and data["min_age"] > data["max_age"]:
            self.add_error("max_age", "最高年龄不能小于最低年龄")
        return data
