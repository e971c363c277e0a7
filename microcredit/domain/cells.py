"""Cells of imported files: amounts, dates, ID numbers and text, parsed one way for every import.

DOMAIN §2 (ID numbers), §5 (money is integer fen) and §10 (bank files: "full-width digits and
spaces, amounts with thousands separators or in 万元, dates as Excel serials, date-time cells
or text in the usual formats, ID numbers mangled into scientific notation"). A cell arrives as
what the table reader gives: ``str`` from CSV, or ``int`` / ``float`` / ``bool`` /
``datetime.date`` / ``datetime.datetime`` / ``datetime.time`` / ``None`` from a spreadsheet.

Every parser is pure and either returns the value or raises :class:`CellError` (a
:class:`~microcredit.domain.errors.DomainError`) whose ``message`` names the rule in Chinese.
The caller adds the row; ``field`` is the column it was given.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

from microcredit.domain.bounds import MAX_FEN, MAX_YEAR, MIN_YEAR
from microcredit.domain.errors import DomainError
from microcredit.domain.identity import CHECK_DIGIT_ERROR, check_digit, id_number_error

__all__ = [
    "CellError", "BIGINT_MAX", "YEAR_MIN", "YEAR_MAX",
    "parse_amount", "parse_date", "parse_id_number", "parse_text", "cell_text", "normalise_header",
]

BIGINT_MAX = MAX_FEN  # the largest amount in fen accepted anywhere (domain.bounds)
YEAR_MIN, YEAR_MAX = MIN_YEAR, MAX_YEAR  # dates outside are typing errors, not loans
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug absorbed)
DATE_FORMATS_HINT = "可用格式：2026-12-05、2026/12/5、2026年12月5日、20261205"

_UNITS = {"元": 100, "万元": 1_000_000}
_AMOUNT = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?", re.ASCII)
_DATE_TEXT = re.compile(
    r"(?P<y>\d{4})(?:(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})|年(?P<m2>\d{1,2})月(?P<d2>\d{1,2})日?)"
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?",
    re.ASCII,
)
_DATE_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})", re.ASCII)
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?E[+-]?\d+", re.IGNORECASE | re.ASCII)
_MAX_AMOUNT_TEXT = 40  # far beyond any bigint; keeps Decimal away from megabyte-long digit strings
_SPACES = re.compile(r"\s+")
_BRACKETED = re.compile(r"[(\[【〔][^)\]】〕]*[)\]】〕]")


class CellError(DomainError):
    """A cell that breaks a rule: ``field`` is the column, ``message`` the rule (Chinese)."""

    def __init__(self, field: str, message: str, value: object = None) -> None:
        super().__init__(field, message)
        self.value = value


def _normalise(text: str) -> str:
    """Full-width digits, letters and punctuation to ASCII (NFKC), surrounding spaces removed."""
    return unicodedata.normalize("NFKC", text).strip()


def _excel_float_text(value: float) -> str:
    """A number cell as Excel shows it: 15 significant digits (its precision), no float arithmetic after."""
    return format(value, ".15g")


def cell_text(value: object) -> str:
    """Any cell as text, the way a person reads it in the spreadsheet (for messages and text columns)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return _excel_float_text(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def parse_text(value: object, *, field: str = "单元格", max_length: int = 200, required: bool = True) -> str:
    """A text cell: stripped, no NUL character, at most ``max_length`` characters.

    Numbers are written as Excel shows them (a 借据号 typed as a number stays "20260001").

    Raises:
        CellError: empty when required, a NUL character, or too long.
    """
    text = cell_text(value).strip().replace("\u3000", " ").strip()
    if "\x00" in text:
        raise CellError(field, "含有空字符（NUL），请检查文件是否损坏", value)
    if not text and required:
        raise CellError(field, "必须填写", value)
    if len(text) > max_length:
        raise CellError(field, f"不能超过 {max_length} 个字符（现有 {len(text)} 个）", value)
    return text


def parse_amount(value: object, *, field: str = "金额", unit: str = "元", allow_negative: bool = False,
                 max_fen: int = BIGINT_MAX) -> int:
    """An amount cell in yuan (or 万元 when the column says so) as integer fen (DOMAIN §5).

    Accepted: ``1234.5``, ``"1,234.50"``, ``"１２３４．５"`` (full width), ``" 1234.5 元"``,
    ``"¥1234.50"``, number cells (read at Excel's 15 significant digits). In 万元 up to six
    decimals (one fen). Refused: exponents (``"1E+1"``), more decimals than one fen, negatives
    unless ``allow_negative``, and more than ``max_fen`` (default: what a bigint column holds).

    Args:
        value: the cell.
        field: the column name, for the error.
        unit: ``"元"`` or ``"万元"``.
        allow_negative: whether a negative amount is a valid value of this column.
        max_fen: the largest absolute amount accepted, in fen.

    Returns:
        The amount in integer fen.

    Raises:
        CellError: naming the broken rule.
    """
    if unit not in _UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    if value is None or isinstance(value, (bool, dt.date, dt.time, dt.timedelta)):
        raise CellError(field, "必须填写金额" if value is None else "不是金额", value)
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError(field, "不是金额", value)
        text = _excel_float_text(value)
        if "e" in text:  # beyond 15 digits Excel itself shows an exponent: never a real amount
            raise CellError(field, "金额过大或被 Excel 存成了科学计数法", value)
    else:
        text = _SPACES.sub("", _normalise(str(value)))
        for prefix in ("¥", "RMB"):
            text = text.removeprefix(prefix)
        for suffix in (unit, "元") if unit == "元" else (unit,):
            text = text.removesuffix(suffix)
    if not text:
        raise CellError(field, "必须填写金额", value)
    if len(text) > _MAX_AMOUNT_TEXT:
        raise CellError(field, "金额过长，超出可存储范围", value)
    if not _AMOUNT.fullmatch(text):
        raise CellError(field, "不是金额（只能是数字，可带千分位逗号和小数点，不能用科学计数法）", value)
    fen = Decimal(text.replace(",", "")) * _UNITS[unit]
    if fen != fen.to_integral_value():
        places = "两位" if unit == "元" else "六位"
        raise CellError(field, f"以{unit}计最多{places}小数（精确到分）", value)
    fen_int = int(fen)
    if fen_int < 0 and not allow_negative:
        raise CellError(field, "不能为负数", value)
    if abs(fen_int) > max_fen:
        raise CellError(field, f"金额过大（上限 {max_fen // 100} 元）", value)
    return fen_int


def _checked_date(year: int, month: int, day: int, field: str, value: object) -> dt.date:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise CellError(field, f"年份必须在 {YEAR_MIN} 至 {YEAR_MAX} 之间", value)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(field, "日期不存在", value) from None


def parse_date(value: object, *, field: str = "日期") -> dt.date:
    """A date cell (DOMAIN §10): a date or date-time cell, an Excel serial number, or text.

    Text formats: ``2026-12-05``, ``2026/12/5``, ``2026.12.5``, ``2026年12月5日``, ``20261205``,
    each optionally followed by a time of day (dropped). Years outside 1990–2100 are refused,
    as are ISO week dates (``2026-W50-2``) and days that do not exist (``2026-02-30``).

    Raises:
        CellError: naming the broken rule.
    """
    if isinstance(value, dt.date):  # a datetime too: the time of day is dropped
        return _checked_date(value.year, value.month, value.day, field, value)
    if value is None or isinstance(value, (bool, dt.time, dt.timedelta)):
        raise CellError(field, "必须填写日期" if value is None else "不是日期", value)
    if isinstance(value, (int, float)):
        if value != value or not -1e9 < value < 1e9:
            raise CellError(field, "不是日期（数值超出范围）", value)
        compact = _DATE_COMPACT.fullmatch(str(int(value))) if value == int(value) else None
        if compact:  # 20261205 typed into a number cell, as some core systems export dates
            return _checked_date(int(compact["y"]), int(compact["m"]), int(compact["d"]), field, value)
        if not 0 < value < 1e6:  # beyond 4637-11-25: not a serial of any real date
            raise CellError(field, "不是日期（Excel 日期序号超出范围）", value)
        day = EXCEL_EPOCH + dt.timedelta(days=int(value))
        return _checked_date(day.year, day.month, day.day, field, value)
    text = _normalise(str(value))
    if not text:
        raise CellError(field, "必须填写日期", value)
    match = _DATE_TEXT.fullmatch(text) or _DATE_COMPACT.fullmatch(text)
    if not match:
        raise CellError(field, f"不是有效日期（{DATE_FORMATS_HINT}）", value)
    parts = match.groupdict()
    month, day = parts.get("m") or parts.get("m2"), parts.get("d") or parts.get("d2")
    return _checked_date(int(parts["y"]), int(month), int(day), field, value)


def parse_id_number(value: object, *, field: str = "身份证号", check: bool = True) -> str:
    """An ID-number cell as 18 ASCII characters with an upper-case X (DOMAIN §2, GB 11643).

    Full-width digits and a lower-case ``x`` are normalised; 17 digits whose check character is
    X are the number with its X lost (a number cell drops it) and get it back; a number cell
    holding an 18-digit number, or text such as ``"4.10102E+17"``, was mangled by Excel (only 15
    digits survive) and is refused with that explanation rather than reported as a wrong check
    digit. With ``check=False`` a wrong check digit is accepted (a bank ledger keeps the row and
    reconciliation reports it, DOMAIN §10); every other rule still holds.

    Raises:
        CellError: naming the broken rule.
    """
    mangled = "被 Excel 存成了数字（科学计数法），后几位已丢失；请把该列设为文本后重新填写"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            value = int(value)  # an old 15-digit number is still exact; it fails the length rule below
        else:
            raise CellError(field, mangled, value)
    if isinstance(value, bool) or value is None or not isinstance(value, (int, str)):
        raise CellError(field, "必须填写身份证号" if value is None else "不是身份证号", value)
    text = _SPACES.sub("", _normalise(str(value))).lstrip("'").upper()
    if not text:
        raise CellError(field, "必须填写身份证号", value)
    if _SCIENTIFIC.fullmatch(text):
        raise CellError(field, mangled, value)
    if not text.isascii():
        raise CellError(field, "身份证号只能包含数字和X", value)
    if len(text) == 17 and text.isdigit() and check_digit(text) == "X":
        text += "X"
    error = id_number_error(text)
    if error and (check or error != CHECK_DIGIT_ERROR):
        raise CellError(field, error, value)
    return text


def normalise_header(text: str) -> tuple[str, str]:
    """A header cell as (name, qualifier): the one place headers are compared loosely.

    Full-width characters become half-width (NFKC: "（元）" → "(元)"), a BOM, every space and
    line break, and required-marks ``*`` are dropped; bracketed parts — (), [], 【】, 〔〕 — are
    cut out of the name and returned joined as the qualifier (a unit such as "元/年").
    "人均纯收入（元/年）" → ("人均纯收入", "元/年"); "是否 五保户*" → ("是否五保户", "").
    """
    text = _SPACES.sub("", unicodedata.normalize("NFKC", text or "").replace("\ufeff", ""))
    qualifier = "".join(part[1:-1] for part in _BRACKETED.findall(text))
    name = _BRACKETED.sub("", text).strip("*:")
    return name, qualifier
