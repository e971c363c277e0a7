"""Warning lights 红黄绿灯 (DOMAIN §8 Monitoring, warnings, sanctions).

red — overdue (days past due ≥ 1) or NPL (DOMAIN §5.4: substandard, doubtful, loss); yellow —
principal due within 60 days, or a risk flag (death, serious illness, disaster, usage check
failed, migration); green — otherwise. The daily close applies the same rule over columns
(``microcredit.batch.warning``, constants taken from here, differential-tested).
"""

from __future__ import annotations

from datetime import date, timedelta

from microcredit.domain.classification import NPL_CLASSES

__all__ = ["YELLOW_DAYS", "LIGHTS", "LIGHT_LABELS", "NPL_CLASSES", "principal_due_soon", "warning_light"]

YELLOW_DAYS = 60
"""DOMAIN §8: principal due within 60 days turns the light yellow."""
LIGHTS = ("red", "yellow", "green")
LIGHT_LABELS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}


def principal_due_soon(next_principal_due: date | None, as_of: date, yellow_days: int = YELLOW_DAYS) -> bool:
    """True when unpaid principal falls due on ``as_of`` … ``as_of + yellow_days`` (DOMAIN §8)."""
    return next_principal_due is not None and as_of <= next_principal_due <= as_of + timedelta(days=yellow_days)


def warning_light(days_past_due: int, classification: str, next_principal_due: date | None,
                  risk_flag: str | None, as_of: date, yellow_days: int = YELLOW_DAYS) -> str:
    """The light of one loan on ``as_of`` (DOMAIN §8): ``"red"``, ``"yellow"`` or ``"green"``.

    ``next_principal_due`` is the earliest due date on or after ``as_of`` of an instalment with
    unpaid principal (None when there is none); ``risk_flag`` is empty/None when the loan has none.
    """
    if days_past_due >= 1 or classification in NPL_CLASSES:
        return "red"
    if principal_due_soon(next_principal_due, as_of, yellow_days) or risk_flag:
        return "yellow"
    return "green"
