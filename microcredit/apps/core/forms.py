"""Form fields of the money edge (ADR 0006, issue #10 §6): yuan typed by a person, integer fen inside.

:class:`YuanField` is the one form field for an amount. It reads what people type and bank
statements print ("1,234.50", "１２３４．５", "¥1234.50", "1234.5 元") through
:func:`microcredit.domain.cells.parse_amount` — the same parser, bounds and Chinese messages as
every uploaded file — and cleans to ``int`` fen. No ``float`` and no ``* 100`` anywhere.
:class:`MoneyDateField` is the date of a money event: refused at the field when after the business date.
:class:`DocumentField` is an uploaded document (``core.documents``): a refused file is named with the reason
at its field, and a file that passed is kept when the form comes back with another error (issue #11 §5).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import PurePath

from django import forms
from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils.html import format_html

from microcredit.apps.core.clock import business_date, now
from microcredit.apps.core.documents import document_errors
from microcredit.apps.core.tables import DEFAULT_LIMITS, TableError, TableLimits, check_uploaded
from microcredit.domain.bounds import MAX_FEN
from microcredit.domain.cells import CellError, parse_amount
from microcredit.domain.guards import money_date_errors
from microcredit.domain.money import fen_to_yuan

__all__ = ["DateInput", "DocumentField", "MoneyDateField", "YuanField", "expire_kept_uploads"]


class YuanField(forms.CharField):
    """An amount in yuan (at most two decimals) cleaned to integer fen in [``min_fen``, ``max_fen``].

    ``initial`` may be fen (``int``, shown as "1234.50") or yuan text. ``min_fen`` defaults to one
    fen (a payment, a loan); pass ``min_fen=0`` where nothing is a valid answer (an income).
    """

    widget = forms.TextInput

    def __init__(self, *, min_fen: int = 1, max_fen: int = MAX_FEN, **kwargs) -> None:
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.min_fen, self.max_fen = min_fen, max_fen

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "decimal", "autocomplete": "off"}

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return fen_to_yuan(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            fen = parse_amount(text, field=str(self.label or "金额"), max_fen=self.max_fen)
        except CellError as exc:
            raise forms.ValidationError(exc.message, code="amount") from None
        if fen < self.min_fen:
            raise forms.ValidationError(f"金额不能小于 {fen_to_yuan(self.min_fen)} 元", code="min_amount")
        return fen

    def validate(self, value):
        if value is None and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value):  # CharField's max_length validator applies to the text, not the fen
        return None

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (self.to_python(self.prepare_value(initial)) if initial not in (None, "") else None)
        except forms.ValidationError:
            return True


class DateInput(forms.DateInput):
    """The browser's date picker. Its value must be ISO (``2026-12-03``) whatever the locale's
    display format — with the locale's ``2026/12/03`` the input opens blank."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format=format)


class MoneyDateField(forms.DateField):
    """The date of a money event: not after the business date; the business date unless told."""

    widget = DateInput

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("initial", business_date)
        super().__init__(**kwargs)

    def clean(self, value):
        day = super().clean(value)
        if day is not None:
            errors = money_date_errors(day, business_date(), label=str(self.label or "日期"))
            if errors:
                raise forms.ValidationError(errors[0].message)
        return day


KEPT_DIR = "kept"  # uploads kept between a refused submission and the next one, in the default storage
KEPT_SECONDS = 24 * 3600
_SALT = "microcredit.kept-upload"


class KeptFile(File):
    """A file uploaded with an earlier, refused submission of the form (its signed `token`)."""

    def __init__(self, file, name: str, token: str) -> None:
        super().__init__(file, name)
        self.token = token


def _kept(token: str) -> KeptFile | None:
    try:
        path = signing.loads(token, salt=_SALT, max_age=KEPT_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(path, str) or not path.startswith(f"{KEPT_DIR}/") or not default_storage.exists(path):
        return None
    return KeptFile(default_storage.open(path, "rb"), os.path.basename(path), token)


class KeptFileInput(forms.FileInput):
    """A file input that, when the form is shown again after an error, keeps the file that passed:
    a signed hidden token names it, and the next submission uses it unless a new file is chosen."""

    pending = None  # the accepted file of this submission, set by DocumentField.clean

    def value_from_datadict(self, data, files, name):
        upload = files.get(name)
        if upload is None and isinstance(data.get(f"{name}__kept"), str):
            return _kept(data[f"{name}__kept"])
        return upload

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        upload = self.pending
        if upload is None:
            return html
        if not isinstance(upload, KeptFile):
            upload.seek(0)
            path = default_storage.save(f"{KEPT_DIR}/{uuid.uuid4().hex}/{os.path.basename(upload.name)}", upload)
            upload = KeptFile(None, os.path.basename(path), signing.dumps(path, salt=_SALT))
        return html + format_html('<input type="hidden" name="{}__kept" value="{}"><small>已保留“{}”，不选新文件即沿用</small>',
                                  name, upload.token, upload.name)


class DocumentField(forms.FileField):
    """An uploaded document (PDF/JPG/PNG by content, ≤ 5 MB — ``core.documents``)."""

    widget = KeptFileInput

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            errors = document_errors(upload, str(self.label))
            if errors:
                raise forms.ValidationError(f"“{upload.name}”未接受：" + "；".join(e.message for e in errors),
                                            code="document")
            self.widget.pending = upload
        return upload


def expire_kept_uploads() -> None:
    """Delete kept uploads older than a day (a schedule of the worker)."""
    if not default_storage.exists(KEPT_DIR):
        return
    cutoff = now() - dt.timedelta(seconds=KEPT_SECONDS)
    for folder in default_storage.listdir(KEPT_DIR)[0]:
        for name in default_storage.listdir(f"{KEPT_DIR}/{folder}")[1]:
            path = f"{KEPT_DIR}/{folder}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)


class TableFileField(forms.FileField):
    """An uploaded table (CSV, Excel, ODS) refused at the form when its size, name or first bytes are
    not what an import accepts (`core.tables.check_upload` under ``limits``), naming the file."""

    def __init__(self, *, limits: TableLimits = DEFAULT_LIMITS, **kwargs) -> None:
        super().__init__(**kwargs)
        self.limits = limits

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            try:
                check_uploaded(upload, self.limits)
            except TableError as exc:
                raise forms.ValidationError(f"“{PurePath(upload.name).name}”未接受：{exc.message}") from None
        return upload
