"""Date inputs open on the business date in the format the browser's date picker reads (issue #11 §5):
``<input type="date">`` accepts only ISO values; the Chinese locale's ``2026/12/03`` left them blank."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django import forms
from django.utils import translation

from microcredit.apps.calc.forms import ScheduleForm
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.core.forms import MoneyDateField
from microcredit.apps.funds import forms as funds_forms
from microcredit.apps.loans import forms as loans_forms

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 3)


def _date_values(form) -> list[str]:
    return re.findall(r'type="date"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*type="date"', str(form))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_money_dates_default_to_the_business_date_in_iso(language):
    with pinned_business_date(DAY), translation.override(language):
        forms_with_dates = [cls() for module in (loans_forms, funds_forms) for cls in vars(module).values()
                            if isinstance(cls, type) and issubclass(cls, forms.Form) and cls.__module__ == module.__name__
                            and any(isinstance(f, MoneyDateField) for f in cls.base_fields.values())]
        assert len(forms_with_dates) >= 6
        for form in forms_with_dates:
            values = [a or b for a, b in _date_values(form)]
            assert values and all(v == "2026-12-03" for v in values), (type(form).__name__, values)


def test_a_date_given_as_initial_is_rendered_in_iso():
    with translation.override("zh-hans"):
        form = ScheduleForm(initial={"disbursed_on": dt.date(2018, 3, 15)})
        assert "2018-03-15" in str(form["disbursed_on"])
