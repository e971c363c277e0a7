from django import forms
from django.utils.translation import gettext_lazy as _


class RegionImportForm(forms.Form):
    file = forms.FileField(label=_("区划文件（CSV：代码,名称,上级代码）"))
