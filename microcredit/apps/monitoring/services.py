"""Writes of the monitoring app: close requests and stale closes (日终), circuit breakers 熔断
(DOMAIN §8).

Every request to close (page, command line, schedule, worker) goes through
:func:`close_request`: the dates come from the one rule ``domain.close.close_dates`` and the
request is audited, refused ones too. :func:`closes_mark_stale` finds closes that miss an
event posted after them (ADR 0002, "Concurrency with servicing").

The breaker rules are ``domain.circuit_breakers``; after each daily close they are evaluated
from the close's ``Aggregate`` rows and new suspensions are recorded (an open suspension is
never duplicated). Lifting is a recorded decision with an audit entry.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db import transaction
from django.db.models import Min, Q
from django.utils.translation import gettext_lazy as _

from microcredit.apps.audit.services import record_audit, user_or_none
from microcredit.apps.core.clock import business_date
from microcredit.apps.accounts.scope import SYSTEM, Scope
from microcredit.apps.reference.selectors import bank_list
from microcredit.apps.loans.selectors import first_disbursement_date, loan_events_after
from microcredit.apps.regions.selectors import regions_in_scope
from microcredit.apps.monitoring.indicators import recovery_at_month_ends
from microcredit.apps.monitoring.models import Aggregate, CloseRun, LendingTarget, Suspension
from microcredit.domain.circuit_breakers import RECOVERY_MONTHS, Exposure, circuit_breakers, recovery_breakers
from microcredit.domain.indicators import is_month_end
from microcredit.domain.close import CloseDateError, close_dates, earliest_closable
from microcredit.domain import bounds
from microcredit.domain.errors import DomainError
from microcredit.domain.money import fen_to_yuan

SOURCES = {"page": "日终页面", "cli": "命令行", "schedule": "定时任务", "api": "接口", "code": "程序调用"}


class CloseFacts(NamedTuple):
    """What the close-date rule needs from the database."""

    today: dt.date
    last_closed: dt.date | None
    stale_from: dt.date | None
    first_disbursed: dt.date | None


def _last_done() -> CloseRun | None:
    return CloseRun.objects.filter(status=CloseRun.Status.DONE).order_by("-business_date").first()


def _earliest_stale(today: dt.date, last: dt.date) -> dt.date | None:
    return (CloseRun.objects.filter(stale=True, business_date__gte=earliest_closable(today), business_date__lte=last)
            .aggregate(d=Min("business_date"))["d"])


def closes_mark_stale(*, since: int | None = None, today: dt.date | None = None) -> dt.date | None:
    """Mark stale the closes that miss an event posted after them; the earliest stale date.

    A close of D saw every loan event up to its ``event_watermark`` (events are numbered in
    posting order and posted under the loan's lock, which the close waits for). An event with a
    larger id dated on or before D — or a reversal of such an event — was posted after it: the
    earliest finished close on/after that date is flagged ``stale`` (the re-close runs from it to
    the latest date). ``since``: scan events after this id (default: the latest close's
    watermark, i.e. what was posted since the last close).
    """
    today = today or business_date()
    last = _last_done()
    if last is None:
        return None
    known = _earliest_stale(today, last.business_date)
    since = last.event_watermark if since is None else since
    # Only an event dated before the earliest date already known to be stale can move it earlier.
    bound = min(last.business_date, known - dt.timedelta(days=1)) if known else last.business_date
    if since is not None and bound >= earliest_closable(today):
        found = [(eid, min(on, rev_on) if rev_on else on, loan_id) for eid, on, rev_on, loan_id in
                 loan_events_after(since).filter(Q(on__lte=bound) | Q(reverses__on__lte=bound))
                 .values_list("id", "on", "reverses__on", "loan_id")]
        found = [f for f in found if f[1] <= bound]
        if found:
            _flag_earliest(found, bound, today)
    return _earliest_stale(today, last.business_date)


def _flag_earliest(found: list[tuple[int, dt.date, int]], bound: dt.date, today: dt.date) -> None:
    lowest = max(min(f[1] for f in found), earliest_closable(today))
    closes = list(CloseRun.objects.filter(status=CloseRun.Status.DONE, event_watermark__isnull=False,
                                          business_date__gte=lowest, business_date__lte=bound)
                  .order_by("business_date").values_list("pk", "business_date", "event_watermark"))
    hits = []
    for eid, affected, loan_id in found:
        hit = next((c for c in closes if c[1] >= affected and c[2] < eid), None)
        if hit is not None:
            hits.append((hit[1], hit[0], eid, affected, loan_id))
    if not hits:
        return
    day, pk, eid, affected, loan_id = min(hits)
    if CloseRun.objects.filter(pk=pk, stale=False).update(stale=True):
        run = CloseRun.objects.get(pk=pk)
        record_audit(actor=None, action="close.stale", obj=run, after={"stale": True, "event": eid, "loan": loan_id},
                     note=f"日终 {day} 之后登记了 {affected} 的贷款业务（事件 #{eid}），下次日终从 {day} 重跑")


def close_facts(today: dt.date | None = None) -> CloseFacts:
    """The latest finished close, the earliest stale one (after a scan), the first disbursement."""
    today = today or business_date()
    last = _last_done()
    stale = closes_mark_stale(today=today) if last is not None else None
    first = first_disbursement_date()
    return CloseFacts(today, last.business_date if last else None, stale, first)


def _close_refused(requested: dt.date | str, *, actor, reason: str, note: str, facts: dict | None = None) -> None:
    """Audit a close request the date rule refused."""
    record_audit(actor=actor, action="close.refused", object_type="monitoring.closerun",
                 object_repr=f"日终 {requested}", after=(facts or {"requested": requested}) | {"reason": reason},
                 note=note)


def close_request(requested: dt.date, *, actor=None, source: str = "code", catch_up: bool = True,
                  note: str = "") -> list[dt.date]:
    """The dates to close for a request (``domain.close.close_dates``), audited either way.

    Refused: a :class:`CloseDateError` with the rule in Chinese, after an audit row
    ``close.refused`` (who, which date, from where, why). Accepted: ``close.request`` with the
    dates that will run.
    """
    facts = close_facts()
    where = f"来源：{SOURCES.get(source, source)}" + (f"；{note}" if note else "")
    base = {"requested": requested, "source": source, "catch_up": catch_up, "business_date": facts.today,
            "last_closed": facts.last_closed, "stale_from": facts.stale_from}
    try:
        dates = close_dates(requested, facts.today, facts.last_closed, stale_from=facts.stale_from,
                            first_disbursed=facts.first_disbursed, catch_up=catch_up)
    except CloseDateError as exc:
        _close_refused(requested, actor=actor, reason=exc.message, note=where, facts=base)
        raise
    record_audit(actor=actor, action="close.request", object_type="monitoring.closerun",
                 object_repr=f"日终 {dates[0]}" + (f" 至 {dates[-1]}" if len(dates) > 1 else ""),
                 after=base | {"from": dates[0], "to": dates[-1], "count": len(dates)}, note=where)
    return dates


class SuspensionError(DomainError):
    pass


def _open() -> "list[Suspension]":
    return list(Suspension.objects.filter(lifted_on__isnull=True))


def _last_month_ends(day: dt.date, n: int) -> list[dt.date]:
    """``day`` (a month end) and the ``n`` − 1 month ends before it, oldest first."""
    out = [day]
    while len(out) < n:
        out.insert(0, out[0].replace(day=1) - dt.timedelta(days=1))
    return out


def _recovery_breaches(day: dt.date) -> list:
    """The fourth breaker at a month-end close (DOMAIN §8, [S2 道县]): villages and townships whose
    year-to-date on-time recovery rate is < 98 % at this and the two previous month ends. A lift
    decision starts the count again: month ends on or before the latest lift of that region's
    recovery suspension do not count."""
    if not is_month_end(day):
        return []
    ends = _last_month_ends(day, RECOVERY_MONTHS)
    breaches = recovery_breakers(recovery_at_month_ends(ends), ends)
    if not breaches:
        return []
    lifted: dict[tuple[str, str], dt.date] = {}
    for level, code, on in (Suspension.objects.filter(rule=Suspension.Rule.RECOVERY, lifted_on__isnull=False)
                            .values_list("level", "region_code", "lifted_on")):
        lifted[(level, code)] = max(on, lifted.get((level, code), on))
    return [b for b in breaches if (b.level, b.code) not in lifted or ends[0] > lifted[(b.level, b.code)]]


@transaction.atomic
def breakers_evaluate(day: dt.date) -> list[Suspension]:
    """Evaluate the circuit breakers on the aggregates of ``day`` — and, at a month end, the on-time
    recovery of the loans due this year (``_recovery_breaches``); record and return new suspensions."""
    rows = Aggregate.objects.filter(as_of=day, bank_id=0, level="village").values_list("code", "balance", "npl_balance")
    villages = [Exposure(code, balance, npl) for code, balance, npl in rows]
    banks = [Exposure(str(bank_id), balance, npl) for bank_id, balance, npl in
             Aggregate.objects.filter(as_of=day, level="bank").exclude(bank_id=0)
             .values_list("bank_id", "balance", "npl_balance")]
    open_rows = _open()
    stopped = [s.region_code for s in open_rows if s.level == Suspension.Level.VILLAGE]
    per_township: dict[str, int] = {}
    for t in {v.code[:9] for v in villages} | {c[:9] for c in stopped}:
        known = {v.code for v in villages if v.code[:9] == t} | {c for c in stopped if c[:9] == t}
        registered = regions_in_scope(user=SYSTEM, level="village").filter(code__startswith=t).count()
        per_township[t] = max(registered, len(known))
    keys = {(s.level, s.region_code, s.bank_id) for s in open_rows}
    lifted_today = {(s.level, s.region_code, s.bank_id) for s in
                    Suspension.objects.filter(lifted_on__gte=day)}
    created = []
    breaches = circuit_breakers(villages, banks, stopped_villages=stopped, villages_per_township=per_township)
    for b in breaches + _recovery_breaches(day):
        bank_id = int(b.code) if b.level == "bank" else None
        region = "" if b.level == "bank" else b.code
        key = (b.level, region, bank_id)
        if key in keys or key in lifted_today:  # open already, or lifted by a decision on/after this close
            continue
        s = Suspension.objects.create(level=b.level, region_code=region, bank_id=bank_id, reason=b.reason[:200], since=day,
                                      rule=b.rule)
        keys.add(key)
        record_audit(actor=None, action="suspension.start", obj=s,
                     after={"level": b.level, "rule": b.rule, "reason": b.reason},
                     region_code=region)
        created.append(s)
    return created


@transaction.atomic
def suspension_lift(suspension: Suspension | int, actor, decision: str, on: dt.date | None = None) -> Suspension:
    """Lift a suspension by a recorded decision (DOMAIN §8, §12: county decision)."""
    pk = suspension.pk if isinstance(suspension, Suspension) else suspension
    s = Suspension.objects.select_for_update().get(pk=pk)
    if s.lifted_on is not None:
        raise SuspensionError("suspension", f"该熔断已于 {s.lifted_on} 解除")
    if not decision.strip():
        raise SuspensionError("decision", "解除熔断须填写决定（依据、文号）")
    if actor is not None and getattr(actor, "is_authenticated", False) \
            and not actor.has_perm("monitoring.lift_suspension"):
        raise SuspensionError("actor", "无权解除风险熔断")
    s.lifted_on, s.lifted_by, s.decision = on or business_date(), user_or_none(actor), decision
    s.save(update_fields=["lifted_on", "lifted_by", "decision"])
    record_audit(actor=actor, action="suspension.lift", obj=s, before={"lifted_on": None},
                 after={"lifted_on": s.lifted_on, "decision": decision}, region_code=s.region_code, note=decision)
    return s


AUDIT_ACTIONS = {  # action code → label (audit log, issue #11 §3)
    "close.request": _("发起日终"), "close.refused": _("日终被拒"), "close.stale": _("标记日终需重算"),
    "suspension.start": _("暂停新增贷款"), "suspension.lift": _("解除暂停"),
    "target.set": _("设定年度放贷目标"), "target.clear": _("取消年度放贷目标"),
}


# ---- 年度放贷目标 (issue #12 item 8) ------------------------------------------------------------------


class TargetError(DomainError):
    """A lending target refused; ``errors`` lists every bad entry at once (the API body repeats them)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors[0][0], errors[0][1])
        self.errors = [{"field": f, "message": m} for f, m in errors]


MAX_TARGET_ROWS = 500  # townships and banks of one county in one request


def targets_set(*, actor, year: int, county_code: str, regions: dict[str, int | None],
                banks: dict[int, int | None]) -> int:
    """Set the year's lending targets of a county: ``regions`` maps the county's own code or one of its
    townships' 9-digit codes, ``banks`` a bank id (its target in the county) to an amount in fen, or None
    to remove the target. Everything checked first (every bad entry named at once), then written in one
    transaction, each change audited. Returns the number of targets changed."""
    errors: list[tuple[str, str]] = []
    if isinstance(year, bool) or not isinstance(year, int) or not bounds.MIN_YEAR <= year <= bounds.MAX_YEAR:
        errors.append(("year", f"年度必须在 {bounds.MIN_YEAR} 到 {bounds.MAX_YEAR} 之间"))
    county_code = str(county_code or "")
    if not Scope.of(actor).covers(county_code) or not (len(county_code) == 6 and county_code.isdigit()):
        raise TargetError([("county", "没有该县，或不在您的权限范围内")])
    if len(regions) + len(banks) > MAX_TARGET_ROWS:
        raise TargetError([("targets", f"一次最多设定 {MAX_TARGET_ROWS} 个目标")])
    townships = dict(regions_in_scope(user=SYSTEM, level="township").filter(code__startswith=county_code)
                     .values_list("code", "name"))
    known = {county_code: county_code, **{c[:9]: n for c, n in townships.items()}}
    bank_names = dict((pk, short or name) for pk, short, name in
                      bank_list().prefetch_related(None).values_list("pk", "short_name", "name"))
    for code, fen in regions.items():
        if code not in known:
            errors.append((f"region:{code}"[:40], f"区划 {str(code)[:12]} 不是本县或本县的乡镇"))
        elif fen is not None and (isinstance(fen, bool) or not isinstance(fen, int) or not 0 <= fen <= bounds.MAX_FEN):
            errors.append((f"region:{code}", f"{known[code] if code != county_code else '全县'}的目标金额不正确"))
    for pk, fen in banks.items():
        if pk not in bank_names:
            errors.append((f"bank:{pk}"[:40], f"没有编号为 {str(pk)[:12]} 的银行"))
        elif fen is not None and (isinstance(fen, bool) or not isinstance(fen, int) or not 0 <= fen <= bounds.MAX_FEN):
            errors.append((f"bank:{pk}", f"{bank_names[pk]}的目标金额不正确"))
    if errors:
        raise TargetError(errors)
    wanted = [((code, None), fen) for code, fen in regions.items()] + \
             [((county_code, pk), fen) for pk, fen in banks.items()]
    changed = 0
    with transaction.atomic():
        have = {(t.region_code, t.bank_id): t for t in LendingTarget.objects.select_for_update().filter(
            year=year, region_code__in={k[0] for k, _f in wanted})}
        for (code, bank_id), fen in wanted:
            row = have.get((code, bank_id))
            before = row.amount if row else None
            if before == fen:
                continue
            if fen is None:
                row.delete()
                action = "target.clear"
            else:
                row = row or LendingTarget(year=year, region_code=code, bank_id=bank_id)
                row.amount = fen
                row.save()
                action = "target.set"
            changed += 1
            record_audit(actor=actor, action=action, object_type="monitoring.lendingtarget",
                         object_id=f"{year}-{code}-{bank_id or 0}",
                         object_repr=f"{year}年 {known.get(code, code) if code != county_code else '全县'}"
                                     f"{' ' + bank_names[bank_id] if bank_id else ''} 放贷目标",
                         before={"amount": fen_to_yuan(before)} if before is not None else None,
                         after={"amount": fen_to_yuan(fen)} if fen is not None else None,
                         region_code=code.ljust(12, "0"))
    return changed
