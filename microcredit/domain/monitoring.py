"""Warning lights 红黄绿灯 (DOMAIN §8 Monitoring, warnings, sanctions).

red — overdue (days past due ≥ 1) or NPL (DOMAIN §5.4: substandard, doubtful, loss); yellow —
principal due within 60 days, or a risk flag (death, serious illness, disaster, usage check
failed, migration); green — otherwise. The daily close applies the same rule over columns
(``microcredit.batch.warning``, constants taken from here, differential-tested).

Overdue episodes (逾期次数, DOMAIN §3 integrity, §5.3): an episode is one spell during which a loan
has something overdue — from the day after an instalment's due date while it is unpaid, until the
day it is paid off (or the loan closes). Spells that touch are one; ended spells count too.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable

from microcredit.domain.classification import NPL_CLASSES

__all__ = ["YELLOW_DAYS", "LIGHTS", "LIGHT_LABELS", "NPL_CLASSES", "principal_due_soon", "warning_light",
           "overdue_spells", "overdue_episodes"]

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


def overdue_spells(instalments: Iterable[tuple[date, date | None]], on: date,
                   closed_on: date | None = None) -> list[tuple[date, date]]:
    """The spells ``[first overdue day, end)`` of one loan as of ``on`` (DOMAIN §5.3: due on E is
    overdue from E + 1 while unpaid). ``instalments`` are ``(due_date, paid_off_on or None)``; a
    spell not yet over ends at ``on + 1`` (or at ``closed_on`` when the loan closed unpaid).
    Overlapping or touching spells merge."""
    still = min(closed_on, on + timedelta(days=1)) if closed_on else on + timedelta(days=1)
    spans = sorted((due + timedelta(days=1), paid if paid is not None else still) for due, paid in instalments)
    out: list[tuple[date, date]] = []
    for start, end in spans:
        if start >= end or start > on:
            continue  # paid on time, or not overdue yet
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def overdue_episodes(loans: Iterable[tuple[Iterable[tuple[date, date | None]], date | None]], *,
                     since: date, on: date) -> int:
    """How many overdue episodes the loans had with an overdue day in ``since`` … ``on`` (DOMAIN §3:
    integrity loses 20 per episode in the last 3 years). ``loans`` are ``(instalments, closed_on)``
    as for :func:`overdue_spells`; each loan's spells count separately."""
    return sum(1 for instalments, closed_on in loans for _start, end in overdue_spells(instalments, on, closed_on)
               if end > since)
