"""Forms of the registry pages: filters, household and member edits, import, verification."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from microcredit.apps.core.clock import business_date
from microcredit.apps.core.forms import YuanField
from microcredit.apps.core.masking import mask_id_number
from microcredit.apps.households.models import Household, HouseholdStatus, Member
from microcredit.apps.households.selectors import households_in_scope
from microcredit.domain.errors import FieldError
from microcredit.domain.identity import id_number_error, parse_id_number
from microcredit.domain.registry import (
    HouseholdFacts, MemberFacts, check_household, check_member, normalise_phone,
)

YES_NO = [("", _("全部")), ("1", _("是")), ("0", _("否"))]


class HouseholdFilterForm(forms.Form):
    township = forms.ChoiceField(label=_("乡镇"), required=False)
    village = forms.ChoiceField(label=_("行政村"), required=False)
    status = forms.ChoiceField(label=_("户类型"), required=False, choices=[("", _("全部"))] + HouseholdStatus.choices)
    wubao = forms.ChoiceField(label=_("五保户"), required=False, choices=YES_NO)
    dibao = forms.ChoiceField(label=_("低保户"), required=False, choices=YES_NO)
    q = forms.CharField(label=_("姓名/身份证号/户编号"), required=False)

    def __init__(self, *args, townships=(), villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = [("", _("全部"))] + [(t.code, t.name) for t in townships]
        self.fields["village"].choices = [("", _("全部"))] + [(v.code, f"{v.parent.name} {v.name}") for v in villages]

    def filters(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v} if self.is_valid() else {}


class HouseholdForm(forms.ModelForm):
    income_yuan = YuanField(label=_("人均纯收入（元/年）"), min_fen=0)

    class Meta:
        model = Household
        fields = ["number", "village", "group_name", "head_name", "phone", "address", "status",
                  "is_wubao", "is_dibao", "year_registered", "year_exited"]

    def __init__(self, *args, villages=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if villages is not None:
            self.fields["village"].queryset = villages
        if self.instance.pk:
            self.fields["income_yuan"].initial = self.instance.income_per_head  # fen, shown in yuan
            del self.fields["number"]
            del self.fields["village"]

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone", ""))

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        other = Household.objects.filter(number=number).exclude(pk=self.instance.pk).first()
        if other is not None:
            raise forms.ValidationError(f"户编号 {number} 已被{_where(other, self.user)}使用，请换一个户编号",
                                        code="unique")
        return number

    def clean(self):
        """The registry's plausibility rules (DOMAIN §2), the same the import and services apply."""
        data = super().clean()
        income = data.get("income_yuan")
        if income is None or any(name in self.errors for name in ("year_registered", "year_exited", "phone")):
            return data
        facts = HouseholdFacts(data.get("year_registered"), data.get("year_exited"), income,
                               data.get("phone", ""))
        _add_errors(self, check_household(facts, today=business_date()), {"income_per_head": "income_yuan"})
        return data

    def changes(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "income_yuan"}
        data["income_per_head"] = self.cleaned_data["income_yuan"]
        return data


def _where(household: Household, user) -> str:
    """The household a duplicate belongs to, named only when it lies in `user`'s scope."""
    if user is not None and households_in_scope(user=user).filter(pk=household.pk).exists():
        return f"{household.head_name} 户（户编号 {household.number}）"
    return "您辖区以外的一户"


def duplicate_member_message(id_number: str, other: Member, user) -> str:
    """The friendly form of "具有 身份证号 的 家庭成员 已存在。" (masked unless `user` may see identities)."""
    shown = id_number if user is not None and user.has_perm("core.see_identity") else mask_id_number(id_number)
    return f"身份证号 {shown} 已登记在{_where(other.household, user)}，同一人不能登记两次"


def _add_errors(form: forms.Form, failures: list[FieldError], rename: dict[str, str]) -> None:
    for failure in failures:
        form.add_error(rename.get(failure.field, failure.field), failure.message)


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["name", "id_number", "relation", "labour", "skill", "health", "phone"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_id_number(self):
        value = self.cleaned_data["id_number"].strip().upper()
        error = id_number_error(value) if value.isascii() else "身份证号只能包含半角数字和X"
        if error:
            raise forms.ValidationError(error)
        other = Member.objects.filter(id_number=value).exclude(pk=self.instance.pk).select_related("household").first()
        if other is not None:
            raise forms.ValidationError(duplicate_member_message(value, other, self.user), code="unique")
        return value

    def clean_phone(self):
        return normalise_phone(self.cleaned_data.get("phone", ""))

    def clean(self):
        """The registry's plausibility rules (DOMAIN §2), the same the import and services apply."""
        data = super().clean()
        if any(name not in data for name in ("id_number", "relation", "labour", "phone")):
            return data  # a field already refused
        facts = MemberFacts(parse_id_number(data["id_number"]).birth_date, data["relation"], data["labour"],
                            data["phone"])
        _add_errors(self, check_member(facts, today=business_date()), {"birth_date": "id_number"})
        return data


class RegistryImportForm(forms.Form):
    file = forms.FileField(label=_("档案文件（CSV、Excel 或 ODS）"))


class VerifyForm(forms.Form):
    id_number = forms.CharField(label=_("身份证号"), max_length=18, min_length=18)
