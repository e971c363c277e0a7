"""Legacy 分贷统还 projects (DOMAIN §4; seeds S0 湖南, S2 道县): the grade, the staged release of
the money by progress, and the link agreement's payouts to each household (≥ 10% of the
household's share of the loan each year for 3 years). Pure rules; money in integer fen.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import NamedTuple

from microcredit.domain.errors import FieldError

GRADES: dict[str, str] = {"good": "好", "fair": "中", "poor": "差"}
"""The project register's grade (S0 湖南: 好中差分级标注; 差 followed up first)."""

ENTERPRISE_KINDS: dict[str, str] = {"enterprise": "企业", "cooperative": "合作社"}

PAYOUT_RATE_BP = 1000
"""The link agreement's minimum payout per year: 10% (1000 basis points) of the household's share."""
PAYOUT_YEARS = 3
PAYOUT_GRACE_DAYS = 30
"""A payout not recorded within this many days after its due date is late (a problem case)."""
MAX_GRACE_DAYS = 180


class PayoutDue(NamedTuple):
    year: int  # 1, 2, 3
    due_on: dt.date
    minimum: int  # fen


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` moved ``years`` years on (29 February → 28 February in a common year)."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def payout_minimum(share: int, rate_bp: int = PAYOUT_RATE_BP) -> int:
    """The least a household is paid a year: ``rate_bp``/10000 of its ``share`` (fen), rounded up to the
    fen so the household never gets less than the agreement's percentage."""
    if share < 0 or rate_bp < 0:
        raise ValueError("share and rate must not be negative")
    return -(-share * rate_bp // 10000)


def payout_schedule(share: int, start: dt.date, *, rate_bp: int = PAYOUT_RATE_BP,
                    years: int = PAYOUT_YEARS) -> list[PayoutDue]:
    """The payouts a household is owed under the link agreement signed on ``start`` (DOMAIN §4):
    one a year on each anniversary, for ``years`` years, each at least ``payout_minimum``."""
    minimum = payout_minimum(share, rate_bp)
    return [PayoutDue(k, add_years(start, k), minimum) for k in range(1, years + 1)]


def payout_errors(*, amount: int, minimum: int, paid_on: dt.date, business_day: dt.date,
                  agreement_start: dt.date) -> list[FieldError]:
    """Why a payout of ``amount`` fen on ``paid_on`` may not be recorded (every failure at once)."""
    errors = []
    if amount <= 0:
        errors.append(FieldError("amount", "分红金额：必须大于 0"))
    elif amount < minimum:
        errors.append(FieldError("amount", f"分红金额低于协议约定的最低额 {minimum // 100}.{minimum % 100:02d} 元"
                                           "（贷款份额的 10%）"))
    if paid_on > business_day:
        errors.append(FieldError("paid_on", f"支付日期 {paid_on.isoformat()} 晚于当前业务日期 {business_day.isoformat()}"))
    if paid_on < agreement_start:
        errors.append(FieldError("paid_on", f"支付日期 {paid_on.isoformat()} 早于带动协议签订日 {agreement_start.isoformat()}"))
    return errors


def is_payout_late(due_on: dt.date, paid: bool, today: dt.date, grace_days: int = PAYOUT_GRACE_DAYS) -> bool:
    """True when a payout is not recorded by its due date plus the grace days (→ a problem case)."""
    return not paid and today > due_on + dt.timedelta(days=grace_days)


def stage_plan_errors(*, planned: int, planned_total_others: int, loans_amount: int) -> list[FieldError]:
    """Why a stage of ``planned`` fen may not be added: the stages' plan stays within the loans."""
    errors = []
    if planned <= 0:
        errors.append(FieldError("planned_amount", "计划拨付金额：必须大于 0"))
    elif planned_total_others + planned > loans_amount:
        errors.append(FieldError("planned_amount", "各期计划拨付合计超过项目贷款金额"))
    return errors


def stage_release_errors(*, amount: int, planned: int, released_total_others: int, loans_amount: int,
                         progress_note: str, progress_documents: int, released_on: dt.date,
                         business_day: dt.date) -> list[FieldError]:
    """Why a stage may not be released (S0 湖南: 依据项目施工进度，分期分批拨付): progress evidence (a
    description and a document) is required, the amount within the stage's plan and the total released
    within the loans' amount; every failure at once."""
    errors = []
    if not progress_note.strip():
        errors.append(FieldError("progress_note", "项目进度说明：拨付前必须填写"))
    if progress_documents < 1:
        errors.append(FieldError("progress_document", "项目进度佐证：拨付前至少上传一份材料"))
    if amount <= 0:
        errors.append(FieldError("released_amount", "拨付金额：必须大于 0"))
    elif amount > planned:
        errors.append(FieldError("released_amount", "拨付金额超过本期计划金额"))
    elif released_total_others + amount > loans_amount:
        errors.append(FieldError("released_amount", "累计拨付超过项目贷款金额"))
    if released_on > business_day:
        errors.append(FieldError("released_on", f"拨付日期 {released_on.isoformat()} 晚于当前业务日期"))
    return errors
