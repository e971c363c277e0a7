"""Servicing forms: amounts entered in yuan, cleaned to fen by ``core.forms.YuanField``; the date of a
money event is refused at the field when it is after the business date (``core.forms.MoneyDateField``;
the services refuse it too)."""

from __future__ import annotations

from django import forms

from microcredit.apps.core.forms import DateInput, MoneyDateField, YuanField
from microcredit.domain.classification import CLASS_LABELS, CLASSES, MANUAL_REASONS


class RepaymentForm(forms.Form):
    amount = YuanField(label="还款金额（元）")
    on = MoneyDateField(label="还款日期")
    reference = forms.CharField(label="银行流水号", max_length=64, required=False)


class SettlementForm(forms.Form):
    on = MoneyDateField(label="结清日期")


class ExtensionForm(forms.Form):
    on = MoneyDateField(label="办理日期")
    extra_months = forms.IntegerField(label="展期月数", min_value=1, max_value=36)
    decision = forms.CharField(label="审批意见（银行决定）", widget=forms.Textarea(attrs={"rows": 2}))


class RenewalForm(forms.Form):
    on = MoneyDateField(label="续贷日期")
    new_term_months = forms.IntegerField(label="新贷款期限（月）", min_value=1, max_value=36)
    without_principal_repayment = forms.BooleanField(label="无还本续贷", required=False)
    decision = forms.CharField(label="审批意见", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class WriteOffForm(forms.Form):
    on = MoneyDateField(label="核销日期")
    reason = forms.CharField(label="核销原因", widget=forms.Textarea(attrs={"rows": 2}))


class ReversalForm(forms.Form):
    reason = forms.CharField(label="冲正原因", max_length=200)


class ExtensionRequestForm(forms.Form):
    """An extension or renewal request (DOMAIN §12): the kind, the new maturity or term, the reason."""

    kind = forms.ChoiceField(label="申请类别", choices=[("extension", "展期"), ("renewal", "续贷")])
    new_maturity = forms.DateField(label="申请展期至（展期填写）", required=False, widget=DateInput())
    new_term_months = forms.IntegerField(label="续贷期限（月，续贷填写）", min_value=1, max_value=36, required=False)
    without_principal_repayment = forms.BooleanField(label="无还本续贷", required=False)
    reason = forms.CharField(label="申请原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ClassificationProposalForm(forms.Form):
    """A manual class move proposed by the bank (DOMAIN §5.4)."""

    to_class = forms.ChoiceField(label="调整为", choices=[(c, CLASS_LABELS[c]) for c in CLASSES])
    reason = forms.ChoiceField(label="下调原因（上调无需选择）", required=False,
                               choices=[("", "—")] + list(MANUAL_REASONS.items()))
    reason_text = forms.CharField(label="说明", max_length=500, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))


class StepForm(forms.Form):
    action = forms.CharField(max_length=16)
    opinion = forms.CharField(required=False, max_length=500)
