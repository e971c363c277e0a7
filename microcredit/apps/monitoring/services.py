"""Writes of the monitoring app: circuit breakers 熔断 (DOMAIN §8).

The rules are ``domain.circuit_breakers``; after each daily close they are evaluated from the
close's ``Aggregate`` rows and new suspensions are recorded (an open suspension is never
duplicated). Lifting is a recorded decision with an audit entry.
"""

from __future__ import annotations

import datetime as dt
from django.db import transaction

from microcredit.apps.audit.services import record_audit, user_or_none
from microcredit.apps.core.clock import business_date
from microcredit.apps.monitoring.models import Aggregate, Suspension
from microcredit.domain.circuit_breakers import Exposure, circuit_breakers
from microcredit.domain.errors import DomainError


class SuspensionError(DomainError):
    pass


def _open() -> "list[Suspension]":
    return list(Suspension.objects.filter(lifted_on__isnull=True))


@transaction.atomic
def breakers_evaluate(day: dt.date) -> list[Suspension]:
    """Evaluate the circuit breakers on the aggregates of ``day``; record and return new suspensions."""
    from microcredit.apps.regions.models import Region

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
        registered = Region.objects.filter(level="village", code__startswith=t).count()
        per_township[t] = max(registered, len(known))
    keys = {(s.level, s.region_code, s.bank_id) for s in open_rows}
    lifted_today = {(s.level, s.region_code, s.bank_id) for s in
                    Suspension.objects.filter(lifted_on__gte=day)}
    created = []
    for b in circuit_breakers(villages, banks, stopped_villages=stopped, villages_per_township=per_township):
        bank_id = int(b.code) if b.level == "bank" else None
        region = "" if b.level == "bank" else b.code
        key = (b.level, region, bank_id)
        if key in keys or key in lifted_today:  # open already, or lifted by a decision on/after this close
            continue
        s = Suspension.objects.create(level=b.level, region_code=region, bank_id=bank_id, reason=b.reason[:200], since=day)
        keys.add(key)
        record_audit(actor=None, action="suspension.start", obj=s, after={"level": b.level, "reason": b.reason},
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
