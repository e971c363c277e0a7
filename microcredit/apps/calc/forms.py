from django import forms

from microcredit.apps.core.forms import DateInput, YuanField
from microcredit.domain.money import fen_to_yuan
from microcredit.domain.schedules import METHOD_LABELS


class ScheduleForm(forms.Form):
    principal = YuanField(label="贷款金额（元）", min_fen=0, initial="50000.00")
    annual_rate = forms.DecimalField(label="年利率（%）", min_value=0, decimal_places=4, initial="4.35")
    disbursed_on = forms.DateField(label="放款日期", widget=DateInput)
    term_months = forms.IntegerField(label="期限（月）", min_value=1, initial=36)
    method = forms.ChoiceField(label="还款方式", choices=list(METHOD_LABELS.items()))

    def payload(self) -> dict:
        d = self.cleaned_data
        return {
            "principal": fen_to_yuan(d["principal"]), "annual_rate": str(d["annual_rate"]),
            "disbursed_on": d["disbursed_on"].isoformat(), "term_months": d["term_months"],
            "method": d["method"],
        }
