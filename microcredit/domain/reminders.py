"""Reminders before and after a due date (DOMAIN §8: "SMS/phone 30 and 7 days before each due date",
"maturity list to townships 2 months ahead"; issue #12 §2).

Pure rules, standard library only:

* the offsets rule — which reminder kinds a loan's due date calls for on a close date
  (:func:`kinds_due`, and its inverse :func:`due_dates_sought` the generator queries with);
* the county's message templates — placeholders checked (:func:`template_errors`), filled in
  without ``str.format`` (:func:`render`: a template can never reach an attribute or an index);
* quiet hours (:func:`in_quiet_hours`, :func:`quiet_release`) and the retry backoff
  (:func:`retry_delay`, :func:`after_failure`);
* the settings as a whole (:func:`settings_errors`, every broken rule at once, like ``domain.policy``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import NamedTuple

from microcredit.domain.dates import add_months
from microcredit.domain.errors import FieldError

EARLY, NEAR, OVERDUE = "early", "near", "overdue"
KINDS = (EARLY, NEAR, OVERDUE)
KIND_LABELS = {EARLY: "到期前提醒（提前）", NEAR: "到期前提醒（临近）", OVERDUE: "逾期提醒"}

PLACEHOLDERS = ("户主", "金额", "应还日", "银行", "贷款编号", "村")
"""What a template may name in braces: {户主} the head of household, {金额} the amount due in yuan,
{应还日} the due date, {银行} the lending bank, {贷款编号} the loan's number, {村} the village."""

MAX_TEMPLATE_LENGTH = 200
"""A template's length at most (an SMS of 70 Chinese characters is one segment; three at most, with room)."""

DEFAULT_TEMPLATES = {
    EARLY: "【{银行}】{户主}您好：您的扶贫小额信贷（借据号{贷款编号}）将于{应还日}到期，应还{金额}元，请提前备足资金。",
    NEAR: "【{银行}】{户主}您好：您的扶贫小额信贷（借据号{贷款编号}）将于{应还日}到期，应还{金额}元，请按时还款，保持良好信用。",
    OVERDUE: "【{银行}】{户主}您好：您的扶贫小额信贷（借据号{贷款编号}）{应还日}应还的{金额}元尚未归还，已逾期，请尽快还款，以免影响信用。",
}

_BRACES = re.compile(r"\{([^{}]*)\}")
_MOBILE = re.compile(r"1[3-9]\d{9}")


class Offsets(NamedTuple):
    """Days before the due date of the two advance reminders, and days after it of the overdue one."""

    early: int = 30
    near: int = 7
    overdue: int = 1  # 1 = the first overdue day (the day after the due date)


class QuietHours(NamedTuple):
    start: dt.time = dt.time(21, 0)
    end: dt.time = dt.time(8, 0)


DEFAULT_OFFSETS = Offsets()
DEFAULT_QUIET = QuietHours()
DEFAULT_HORIZON_MONTHS = 2
DEFAULT_MAX_ATTEMPTS = 3
OFFSET_MAX = 180
HORIZON_MAX = 12
ATTEMPTS_MAX = 10


def due_dates_sought(day: dt.date, offsets: Offsets) -> dict[str, dt.date]:
    """Kind → the due date whose reminder of that kind falls on ``day`` (DOMAIN §8).

    Early and near: the due date ``offsets.early`` / ``offsets.near`` days after ``day``; overdue: the due
    date ``offsets.overdue`` days before ``day`` (1: the instalment was due yesterday and is unpaid today).
    """
    return {EARLY: day + dt.timedelta(days=offsets.early), NEAR: day + dt.timedelta(days=offsets.near),
            OVERDUE: day - dt.timedelta(days=offsets.overdue)}


def kinds_due(day: dt.date, due_date: dt.date, offsets: Offsets, *, paid: bool = False) -> tuple[str, ...]:
    """The reminder kinds an instalment due on ``due_date`` calls for on the close of ``day`` (DOMAIN §8).

    Nothing for an instalment already paid off; otherwise exactly the kinds whose offset puts
    ``due_date`` at that distance from ``day`` (a kind whose offset equals another's gives both).
    """
    if paid:
        return ()
    return tuple(kind for kind, sought in due_dates_sought(day, offsets).items() if sought == due_date)


def template_errors(field: str, text: str) -> list[FieldError]:
    """Every fault of one template (issue #12 §2): empty, too long, an unknown or unclosed placeholder."""
    errors: list[FieldError] = []
    stripped = (text or "").strip()
    if not stripped:
        return [FieldError(field, "短信模板不能为空")]
    if len(stripped) > MAX_TEMPLATE_LENGTH:
        errors.append(FieldError(field, f"短信模板不能超过 {MAX_TEMPLATE_LENGTH} 个字符（现 {len(stripped)} 个）"))
    if "\x00" in stripped:
        errors.append(FieldError(field, "短信模板不能包含空字符"))
    unknown = [name for name in _BRACES.findall(stripped) if name not in PLACEHOLDERS]
    for name in dict.fromkeys(unknown):
        errors.append(FieldError(field, f"未知的占位符 {{{name}}}：可用的占位符有 "
                                        + "、".join(f"{{{p}}}" for p in PLACEHOLDERS)))
    if "{" in _BRACES.sub("", stripped) or "}" in _BRACES.sub("", stripped):
        errors.append(FieldError(field, "占位符的花括号不成对，例如应写作 {户主}"))
    return errors


def render(template: str, values: Mapping[str, str]) -> str:
    """The message: each known placeholder replaced by its value (unknown names left as written)."""
    return _BRACES.sub(lambda m: str(values[m.group(1)]) if m.group(1) in PLACEHOLDERS and m.group(1) in values
                       else m.group(0), template)


def in_quiet_hours(t: dt.time, quiet: QuietHours) -> bool:
    """Whether the local time ``t`` lies in the quiet hours [start, end) — across midnight when
    start > end (21:00–08:00); start == end: no quiet hours."""
    start, end = quiet.start, quiet.end
    if start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end


def quiet_release(at: dt.datetime, quiet: QuietHours) -> dt.datetime:
    """The earliest moment at or after ``at`` (local time) outside the quiet hours: ``at`` itself,
    or the end of the quiet hours it lies in (08:00 the same or the next morning)."""
    if not in_quiet_hours(at.timetz().replace(tzinfo=None), quiet):
        return at
    release = at.replace(hour=quiet.end.hour, minute=quiet.end.minute, second=0, microsecond=0)
    return release if release > at else release + dt.timedelta(days=1)


def retry_delay(attempts: int) -> dt.timedelta:
    """How long after its ``attempts``-th failed try a message is tried again: 5, 10, 20 … minutes,
    at most 6 hours."""
    return min(dt.timedelta(minutes=5 * 2 ** min(max(attempts - 1, 0), 10)), dt.timedelta(hours=6))


def after_failure(attempts: int, max_attempts: int) -> str:
    """"retry" while the message has had fewer than ``max_attempts`` tries, else "failed"."""
    return "retry" if attempts < max_attempts else "failed"


def is_mobile(phone: str) -> bool:
    """A mainland mobile number (11 digits starting 13–19) — what an SMS can reach."""
    return bool(_MOBILE.fullmatch((phone or "").strip()))


def horizon_end(day: dt.date, months: int) -> dt.date:
    """The last day of the maturity list 到期提醒名单 (DOMAIN §8: two months ahead by default)."""
    return add_months(day, months)


def settings_errors(*, offsets: Offsets, quiet: QuietHours, horizon_months: int, max_attempts: int,
                    templates: Mapping[str, str]) -> list[FieldError]:
    """Every rule the county's reminder settings break (empty when they may be saved)."""
    errors: list[FieldError] = []
    for field, value, label in (("early_days", offsets.early, "提前提醒天数"), ("near_days", offsets.near, "临近提醒天数"),
                                ("overdue_days", offsets.overdue, "逾期提醒天数")):
        if not 1 <= value <= OFFSET_MAX:
            errors.append(FieldError(field, f"{label}应在 1 至 {OFFSET_MAX} 天之间"))
    if 1 <= offsets.near <= OFFSET_MAX and 1 <= offsets.early <= OFFSET_MAX and offsets.early <= offsets.near:
        errors.append(FieldError("early_days", "提前提醒天数应大于临近提醒天数"))
    if quiet.start == quiet.end:
        errors.append(FieldError("quiet_end", "免打扰时段的开始和结束不能相同"))
    if not 1 <= horizon_months <= HORIZON_MAX:
        errors.append(FieldError("horizon_months", f"到期提醒名单月数应在 1 至 {HORIZON_MAX} 之间"))
    if not 1 <= max_attempts <= ATTEMPTS_MAX:
        errors.append(FieldError("max_attempts", f"最多发送次数应在 1 至 {ATTEMPTS_MAX} 之间"))
    for kind in KINDS:
        errors.extend(template_errors(f"template_{kind}", templates.get(kind, "")))
    return errors
