"""Forms of user administration: regions and banks are picked by name, roles by their label."""

from __future__ import annotations

from django import forms

from microcredit.apps.accounts.roles import ROLE_LABELS
from microcredit.apps.accounts.scope import Scope
from microcredit.apps.reference.selectors import bank_list
from microcredit.apps.regions.selectors import regions_in_scope
from microcredit.domain.access import grantable_roles


def scope_choices(actor) -> list:
    """The regions the actor may assign, grouped: its counties, then each township with its villages."""
    regions = list(regions_in_scope(user=actor).filter(level__in=("county", "township", "village")).order_by("code"))
    counties = [(r.code, r.name) for r in regions if r.level == "county"]
    names = {r.code: r.name for r in regions}
    groups: dict[str, list] = {}
    for r in regions:
        if r.level == "township":
            groups.setdefault(r.code, []).append((r.code, f"{r.name}（全乡镇）"))
        elif r.level == "village":
            groups.setdefault(r.parent_id, []).append((r.code, r.name))
    return ([("县", counties)] if counties else []) + [
        (names.get(code, code), options) for code, options in groups.items()]


class UserFilterForm(forms.Form):
    q = forms.CharField(label="姓名/用户名/电话", required=False, max_length=150)
    role = forms.ChoiceField(label="角色", required=False, choices=[("", "全部")] + list(ROLE_LABELS.items()))
    active = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), ("1", "启用"), ("0", "已停用")])

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"q": data["q"].strip() or None, "role": data["role"] or None,
                "active": {"1": True, "0": False}.get(data["active"])}


class UserForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150, help_text="登录用，字母、数字或 @ . + - _")
    name = forms.CharField(label="姓名", max_length=150)
    phone = forms.CharField(label="电话", max_length=20, required=False)
    role = forms.ChoiceField(label="角色")
    scope = forms.MultipleChoiceField(
        label="管辖范围", required=False, widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text="村金融服务室选行政村，乡镇金融服务站选乡镇，县级角色和合作银行选县（按住 Ctrl 可多选）")
    bank = forms.ModelChoiceField(label="所属银行", queryset=bank_list(), required=False, empty_label="（无）",
                                  help_text="只有合作银行人员选择")

    def __init__(self, *args, actor, user=None, **kwargs):
        if user is not None:
            kwargs.setdefault("initial", {
                "name": user.get_full_name(), "phone": user.phone, "role": user.role, "bank": user.bank_id,
                "scope": [p.ljust(12, "0") for p in user.scope_regions or []]})
        super().__init__(*args, **kwargs)
        if user is not None:
            del self.fields["username"]
        self.fields["role"].choices = [("", "请选择")] + [
            (r, ROLE_LABELS[r]) for r in grantable_roles(actor_unrestricted=Scope.of(actor).unrestricted)]
        self.fields["scope"].choices = scope_choices(actor)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        bank = data["bank"]
        return {"name": data["name"], "phone": data["phone"], "role": data["role"], "scope": data["scope"],
                "bank_id": bank.pk if bank else None}

    def add_errors(self, errors) -> None:
        """A service's refusal on the fields it names (``user`` and unknown fields on the form)."""
        for error in errors:
            self.add_error(error.field if error.field in self.fields else None, error.message)
