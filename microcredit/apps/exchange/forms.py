"""Forms of the bank data exchange pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from microcredit.apps.core.clock import business_date
from microcredit.apps.core.forms import DateInput, TableFileField
from microcredit.apps.exchange.ledger_file import UPLOAD_LIMITS
from microcredit.domain.ledger import FIELDS

BY_COLUMN = ""  # the bank choice "按贷款银行列逐行确定"


class LedgerUploadForm(forms.Form):
    file = TableFileField(label=_("台账文件（CSV、Excel 或 ODS，不超过 100 MB）"), limits=UPLOAD_LIMITS)
    bank = forms.ChoiceField(label=_("贷款银行"), required=False)
    as_of = forms.DateField(label=_("数据日期"), widget=DateInput(), required=False,
                            help_text=_("台账截至的日期；不填为业务日期。晚于此日的放款、还款日期会被拒绝。"))

    def __init__(self, *args, banks: list[tuple[str, str]], fixed_bank: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = list(banks) if fixed_bank else [(BY_COLUMN, _("按“贷款银行”列逐行确定（多家银行的汇总台账）")), *banks]
        self.fields["bank"].choices = choices
        if fixed_bank:
            self.fields["bank"].required = True

    def clean_as_of(self):
        day = self.cleaned_data.get("as_of")
        if day and day > business_date():
            raise forms.ValidationError(_("数据日期不能晚于业务日期"))
        return day


class ReconcileForm(forms.Form):
    bank = forms.ChoiceField(label=_("银行"), required=False)

    def __init__(self, *args, banks: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank"].choices = [("", _("全部银行")), *banks]


class TemplateForm(forms.Form):
    """One text box per ledger field: the header this bank's files use for it (empty: the usual names)."""

    def __init__(self, *args, mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for f in FIELDS:
            self.fields[f.key] = forms.CharField(label=f.header, required=False, max_length=60,
                                                 initial=mapping.get(f.key, ""))


class OfficialsForm(forms.Form):
    file = TableFileField(label=_("公职人员名册（姓名、身份证号、工作单位；CSV 或 Excel）"))
    replace = forms.BooleanField(label=_("替换现有名册（不勾选则追加）"), required=False, initial=True)
