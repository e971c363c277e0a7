"""Which dates the daily close (日终, DOMAIN §8) may run for — one rule for every entry point.

The close writes the *current* state of every loan (one row per loan) and the indicators of a
date, so a close of the wrong date is not harmless: closing 1990-01-01 replaced 1,818 current
states by none (issue #8). Given the requested date, the business date ``today`` and the
latest finished close ``last_closed``:

- never after the business date (no close of a day that has not happened);
- never more than :data:`MAX_LOOKBACK_DAYS` (400) days before the business date, and never
  before the first loan's disbursement: no loan has a state there, and the close is only ever a
  step towards the current state. The same window bounds the catch-up, so whatever was closed
  last, a request never runs more than ~400 dates. (We chose one bound for every case, also
  when nothing was closed yet: a first close long ago would only start a long catch-up.)
- after ``last_closed`` (or nothing closed yet): the missed dates after ``last_closed`` up to
  the requested date are closed in order (catch-up; ``catch_up=False`` closes only the
  requested date);
- equal to ``last_closed``: a re-run, idempotent;
- before ``last_closed``: refused, it would overwrite the current state with an older one —
  except from ``stale_from`` on: a close is *stale* when an event dated on or before its date
  was posted after it (the bank's file for yesterday, a reversal). Then the dates from the
  earliest stale one through ``last_closed`` are closed again in order, so the current state
  still ends at the latest date (ADR 0002, "Concurrency with servicing").
"""

from __future__ import annotations

from datetime import date, timedelta

from microcredit.domain.errors import DomainError

__all__ = ["MAX_LOOKBACK_DAYS", "CloseDateError", "close_dates", "earliest_closable"]

MAX_LOOKBACK_DAYS = 400
"""How far before the business date a close (or a catch-up) may reach."""


class CloseDateError(DomainError):
    """A refused close request (field ``date``, Chinese message)."""


def earliest_closable(today: date) -> date:
    """The oldest date a close may run for on business date ``today``."""
    return today - timedelta(days=MAX_LOOKBACK_DAYS)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def close_dates(requested: date, today: date, last_closed: date | None, *, stale_from: date | None = None,
                first_disbursed: date | None = None, catch_up: bool = True) -> list[date]:
    """The dates to close, in order, for a request to close ``requested`` (see the module doc).

    Raises :class:`CloseDateError` naming the rule when the request is refused.
    """
    earliest = earliest_closable(today)
    if requested > today:
        raise CloseDateError("date", f"日终日期 {requested} 晚于当前业务日期 {today}：不能对尚未到来的日期日终")
    if requested < earliest:
        raise CloseDateError("date", f"日终日期 {requested} 早于 {earliest}（业务日期前 {MAX_LOOKBACK_DAYS} 天）："
                                     "日终只用于得到当前状态，不能补跑这么早的日期")
    if first_disbursed is not None and requested < first_disbursed:
        raise CloseDateError("date", f"日终日期 {requested} 早于第一笔贷款的放款日期 {first_disbursed}：没有可日终的贷款")
    stale = None
    if stale_from is not None and last_closed is not None and stale_from <= last_closed:
        stale = max(stale_from, earliest)
    if last_closed is not None and requested < last_closed and (stale is None or requested < stale):
        raise CloseDateError("date", f"日终日期 {requested} 早于最近一次已完成的日终 {last_closed}："
                                     f"会用旧状态覆盖当前状态；只能重跑 {last_closed} 或日终其后的日期")
    dates = _days(stale, last_closed) if stale is not None else []
    if last_closed is None or requested > last_closed:
        start = last_closed + timedelta(days=1) if catch_up and last_closed is not None else requested
        dates += _days(max(start, earliest), requested)
    elif not dates:
        dates = [last_closed]  # requested == last_closed: the idempotent re-run
    return dates
