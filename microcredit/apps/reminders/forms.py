"""The county's reminder settings form (the rules themselves are ``domain.reminders.settings_errors``,
applied by the service; this form only reads the values within bounds)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from microcredit.domain import reminders as rules

_TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
_TEXT = {"max_length": 1000, "widget": forms.Textarea(attrs={"rows": 3})}  # the length rule is the domain's (named)


class SettingsForm(forms.Form):
    early_days = forms.IntegerField(label=_("提前提醒：应还日前（天）"), min_value=1, max_value=rules.OFFSET_MAX)
    near_days = forms.IntegerField(label=_("临近提醒：应还日前（天）"), min_value=1, max_value=rules.OFFSET_MAX)
    overdue_days = forms.IntegerField(label=_("逾期提醒：逾期第几天"), min_value=1, max_value=rules.OFFSET_MAX)
    quiet_start = forms.TimeField(label=_("免打扰开始"), widget=_TIME)
    quiet_end = forms.TimeField(label=_("免打扰结束"), widget=_TIME)
    horizon_months = forms.IntegerField(label=_("到期提醒名单：未来几个月"), min_value=1, max_value=rules.HORIZON_MAX)
    max_attempts = forms.IntegerField(label=_("短信最多发送次数"), min_value=1, max_value=rules.ATTEMPTS_MAX)
    template_early = forms.CharField(label=_("提前提醒模板"), **_TEXT)
    template_near = forms.CharField(label=_("临近提醒模板"), **_TEXT)
    template_overdue = forms.CharField(label=_("逾期提醒模板"), **_TEXT)
