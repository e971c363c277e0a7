"""Forms of the project pages: register a project, add a household by its loan, record a payout, plan and
release a stage, grade the project."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from microcredit.apps.core.forms import DocumentField, MoneyDateField, YuanField
from microcredit.domain.projects import (
    ENTERPRISE_KINDS,
    GRADES,
    MAX_GRACE_DAYS,
    PAYOUT_GRACE_DAYS,
)


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


class ProjectForm(forms.Form):
    """Register a legacy project: the choices of region and bank are given by the view (the user's scope)."""

    name = forms.CharField(label=_("项目名称"), max_length=100)
    enterprise_name = forms.CharField(label=_("实施主体"), max_length=100)
    enterprise_kind = forms.ChoiceField(label=_("主体类型"), choices=list(ENTERPRISE_KINDS.items()))
    region_code = forms.ChoiceField(label=_("所属区划"), choices=())
    bank = forms.ChoiceField(label=_("合作银行"), choices=())
    grade = forms.ChoiceField(label=_("分级"), choices=list(GRADES.items()), initial="fair")
    white_listed = forms.BooleanField(label=_("列入白名单"), required=False)
    account_number = forms.RegexField(label=_("三方共管账户"), regex=r"^[0-9]*$", max_length=32, required=False,
                                      error_messages={"invalid": _("只能是数字")})
    party_government = forms.CharField(label=_("共管方（县乡村振兴局）"), max_length=100, required=False)
    party_bank = forms.CharField(label=_("共管方（银行）"), max_length=100, required=False)
    party_enterprise = forms.CharField(label=_("共管方（实施主体）"), max_length=100, required=False)
    agreement_on = MoneyDateField(label=_("带动协议签订日"))
    grace_days = forms.IntegerField(label=_("分红宽限天数"), min_value=0, max_value=MAX_GRACE_DAYS,
                                    initial=PAYOUT_GRACE_DAYS)
    note = forms.CharField(label=_("备注"), max_length=2000, required=False, widget=forms.Textarea)

    def __init__(self, *args, regions=(), banks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = list(regions)
        self.fields["bank"].choices = list(banks)


class ParticipantForm(forms.Form):
    """Add a household by its own 分贷统还 loan (the loan's number); the share defaults to the loan's amount."""

    loan_number = forms.CharField(label=_("借据号"), max_length=32)
    share = YuanField(label=_("贷款份额（元）"), required=False, help_text=_("不填则为该笔贷款的金额"))
