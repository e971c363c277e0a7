"""Risk flags and post-loan checks (贷后管理, DOMAIN §8).

Risk flags: the kinds a village/township/county officer sets on a loan or a household (death,
serious illness, disaster, migration, usage check failed); each turns the loan's warning light
yellow. The loan keeps one cached flag (``Loan.risk_flag``): its open flag of highest priority,
:func:`top_flag`. A flag another rule set (``malicious_default``, blacklisting, DOMAIN §8) is
never replaced nor cleared from here: :func:`cached_flag`.

Post-loan checks (贷后检查): the usage of each active loan is verified within 30 days of its
disbursement and then once a year, on the anniversary of the disbursement; a check done in the
30 days before an anniversary counts for that year (:func:`next_check_due`, :func:`check_status`).
Pure functions, standard library only.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, NamedTuple

from microcredit.domain.errors import FieldError

__all__ = [
    "FLAG_KINDS", "FLAG_LABELS", "FLAG_PRIORITY", "USAGE_FAILED", "MAX_REASON", "MAX_FINDING",
    "FIRST_CHECK_DAYS", "CHECK_WINDOW_DAYS", "top_flag", "cached_flag", "reason_errors", "flag_errors",
    "anniversary", "next_check_due", "CheckStatus", "check_status", "check_errors", "gps_errors",
    "CHECK_DUE", "CHECK_OVERDUE", "CHECK_DONE", "CHECK_STATUSES",
]

USAGE_FAILED = "usage_failed"
FLAG_LABELS: dict[str, str] = {
    "death": "死亡",
    "illness": "重大疾病",
    "disaster": "重大灾害",
    USAGE_FAILED: "贷款用途核查未通过",
    "migration": "外出务工/迁移",
}
"""Risk-flag kinds and their labels, in priority order (highest first): the causes a risk-fund claim
may rest on (death, illness, disaster, DOMAIN §7) before the others."""
FLAG_KINDS: tuple[str, ...] = tuple(FLAG_LABELS)
FLAG_PRIORITY: dict[str, int] = {kind: i for i, kind in enumerate(FLAG_KINDS)}
CLAIM_CAUSES: dict[str, str] = {"death": "death", "illness": "labour_loss", "disaster": "disaster"}
"""The risk-fund claim's cause a flag points to (DOMAIN §7: death, lost labour capacity, major
disaster); a claim proposed from a flagged loan starts with it (the bank may change it)."""
MAX_REASON = 500
"""A flag's reason (set or clear) is required and at most this long."""
MAX_FINDING = 1000

FIRST_CHECK_DAYS = 30
"""The first usage check is due this many days after disbursement (DOMAIN §8)."""
CHECK_WINDOW_DAYS = 30
"""A yearly check is due on the anniversary; it may be done (and is listed as due) this many days before."""

CHECK_DUE, CHECK_OVERDUE, CHECK_DONE = "due", "overdue", "done"
CHECK_STATUSES = {CHECK_DUE: "待检查", CHECK_OVERDUE: "已逾期", CHECK_DONE: "已检查"}


def top_flag(kinds: Iterable[str]) -> str:
    """The open flag of highest priority among ``kinds`` ("" when none; unknown kinds ignored)."""
    known = [k for k in kinds if k in FLAG_PRIORITY]
    return min(known, key=FLAG_PRIORITY.__getitem__) if known else ""


def cached_flag(current: str, open_kinds: Iterable[str]) -> str:
    """What the loan's cached ``risk_flag`` must become given its open flags (DOMAIN §8).

    A value this vocabulary does not own (``malicious_default`` from blacklisting, or another
    app's cause) is kept as it is: post-loan flags never override or clear it.
    """
    if current and current not in FLAG_PRIORITY:
        return current
    return top_flag(open_kinds)


def reason_errors(reason: str, field: str = "reason", label: str = "原因") -> list[FieldError]:
    """A reason is required (not blank), at most ``MAX_REASON`` characters, without NUL."""
    text = (reason or "").strip()
    errors = []
    if not text:
        errors.append(FieldError(field, f"请填写{label}"))
    if len(text) > MAX_REASON:
        errors.append(FieldError(field, f"{label}不能超过 {MAX_REASON} 个字"))
    if "\x00" in text:
        errors.append(FieldError(field, f"{label}不能包含空字符"))
    return errors


def flag_errors(kind: str, reason: str) -> list[FieldError]:
    """Every failure of a flag to set (kind known, reason given and bounded), at once."""
    errors = [] if kind in FLAG_PRIORITY else [FieldError("kind", "风险类型不是可选的值")]
    return errors + reason_errors(reason)


def anniversary(start: dt.date, years: int) -> dt.date:
    """``start`` plus ``years`` years; 29 February falls on 28 February in a common year."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def next_check_due(disbursed_on: dt.date, last_check: dt.date | None) -> dt.date:
    """The date the next usage check is due (DOMAIN §8).

    No check yet: ``FIRST_CHECK_DAYS`` after disbursement. Otherwise the first anniversary of the
    disbursement more than ``CHECK_WINDOW_DAYS`` after the last check (a check in the window before
    an anniversary is that year's check).
    """
    if last_check is None:
        return disbursed_on + dt.timedelta(days=FIRST_CHECK_DAYS)
    years = max(1, last_check.year - disbursed_on.year)  # its anniversary falls in the check's year or before
    while anniversary(disbursed_on, years) <= last_check + dt.timedelta(days=CHECK_WINDOW_DAYS):
        years += 1
    return anniversary(disbursed_on, years)


class CheckStatus(NamedTuple):
    due_on: dt.date
    status: str  # CHECK_DUE, CHECK_OVERDUE, or "" (not yet due)


def check_status(disbursed_on: dt.date, last_check: dt.date | None, on: dt.date) -> CheckStatus:
    """The loan's check on ``on``: due (its window is open), overdue (past its due date) or not yet due.

    The first check's window opens at disbursement; a yearly one ``CHECK_WINDOW_DAYS`` before the
    anniversary.
    """
    due = next_check_due(disbursed_on, last_check)
    opens = disbursed_on if last_check is None else due - dt.timedelta(days=CHECK_WINDOW_DAYS)
    if on > due:
        return CheckStatus(due, CHECK_OVERDUE)
    return CheckStatus(due, CHECK_DUE if on >= opens else "")


def gps_errors(latitude, longitude) -> list[FieldError]:
    """Both or neither; latitude in [-90, 90], longitude in [-180, 180] (decimal degrees)."""
    if latitude is None and longitude is None:
        return []
    if latitude is None or longitude is None:
        return [FieldError("latitude" if latitude is None else "longitude", "经纬度须同时填写")]
    errors = []
    if not -90 <= latitude <= 90:
        errors.append(FieldError("latitude", "纬度须在 -90 至 90 之间"))
    if not -180 <= longitude <= 180:
        errors.append(FieldError("longitude", "经度须在 -180 至 180 之间"))
    return errors


def check_errors(*, passed: bool | None, finding: str, checked_on: dt.date | None, disbursed_on: dt.date,
                 today: dt.date, latitude=None, longitude=None) -> list[FieldError]:
    """Every failure of a check to record, at once (DOMAIN §8): a result, a finding (required when failed,
    bounded), a date between the disbursement and today, GPS within bounds."""
    errors = []
    if passed is None:
        errors.append(FieldError("result", "请选择检查结论"))
    text = (finding or "").strip()
    if passed is False and not text:
        errors.append(FieldError("finding", "核查未通过时须写明检查情况"))
    if len(text) > MAX_FINDING:
        errors.append(FieldError("finding", f"检查情况不能超过 {MAX_FINDING} 个字"))
    if "\x00" in text:
        errors.append(FieldError("finding", "检查情况不能包含空字符"))
    if checked_on is None:
        errors.append(FieldError("checked_on", "请填写检查日期"))
    elif checked_on > today:
        errors.append(FieldError("checked_on", "检查日期不能晚于今天（业务日期）"))
    elif checked_on < disbursed_on:
        errors.append(FieldError("checked_on", "检查日期不能早于放款日期"))
    return errors + gps_errors(latitude, longitude)
