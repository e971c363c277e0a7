"""Writes to reference data: banks, branches, rate fixings, policy eras (DOMAIN §4, §11).

Rates and eras are versioned: a correction never edits a row; it creates a new version and
points the old one's ``superseded_by`` at it, so every figure's history is kept (ADR 0001).
Every function runs in one transaction and records an audit row with before/after.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from microcredit.apps.audit.services import record_audit, snapshot, user_or_none
from microcredit.apps.reference.models import Bank, Branch, PolicyEra, ReferenceRate
from microcredit.domain.rates import TENORS

_RATE_FIELDS = ["kind", "tenor", "effective_from", "rate", "superseded_by_id", "reason"]
_ERA_FIELDS = [
    "code", "name", "effective_from", "max_amount", "max_term_months", "rate_basis", "cap_rate",
    "eligible_statuses", "min_age", "max_age", "subsidy_ratio", "subsidy_max_years",
    "superseded_by_id", "reason",
]
ERA_EDITABLE_FIELDS = [f for f in _ERA_FIELDS if f not in ("code", "superseded_by_id", "reason")]


@transaction.atomic
def bank_create(*, code: str, name: str, short_name: str, actor=None) -> Bank:
    """Register a partner bank (合作银行)."""
    bank = Bank(code=code, name=name, short_name=short_name)
    bank.full_clean()
    bank.save()
    record_audit(actor=actor, action="bank.create", obj=bank, after=snapshot(bank))
    return bank


@transaction.atomic
def branch_create(*, bank: Bank, name: str, region, actor=None) -> Branch:
    """Add a branch (网点) of a bank in a region (usually a township)."""
    branch = Branch(bank=bank, name=name, region=region)
    branch.full_clean()
    branch.save()
    record_audit(actor=actor, action="branch.create", obj=branch, after=snapshot(branch),
                 region_code=region.code)
    return branch


@transaction.atomic
def reference_rate_record(
    *, kind: str, tenor: str, effective_from: dt.date, rate: Decimal, actor=None, reason: str = "",
) -> ReferenceRate:
    """Record a new fixing (e.g. this month's LPR). A fixing already in force for the same
    kind, tenor and date must be revised instead (ValidationError)."""
    if tenor not in TENORS.get(kind, ()):
        raise ValidationError({"tenor": f"{kind} 没有期限 {tenor}"})
    if ReferenceRate.objects.current().filter(kind=kind, tenor=tenor, effective_from=effective_from).exists():
        raise ValidationError({"effective_from": "该日期已有此利率，请使用“修订”"})
    row = ReferenceRate(kind=kind, tenor=tenor, effective_from=effective_from, rate=rate,
                        recorded_by=user_or_none(actor), reason=reason)
    row.full_clean()
    row.save()
    record_audit(actor=actor, action="reference_rate.record", obj=row, after=snapshot(row, _RATE_FIELDS),
                 note=reason)
    return row


@transaction.atomic
def reference_rate_revise(*, rate_row: ReferenceRate, new_rate: Decimal, actor=None, reason: str) -> ReferenceRate:
    """Correct a fixing: a new version row with ``new_rate``; the old row is kept, superseded."""
    old = ReferenceRate.objects.select_for_update().get(pk=rate_row.pk)
    if old.superseded_by_id is not None:
        raise ValidationError("该利率已被修订，请修订最新版本")
    before = snapshot(old, _RATE_FIELDS)
    new = ReferenceRate(kind=old.kind, tenor=old.tenor, effective_from=old.effective_from, rate=new_rate,
                        recorded_by=user_or_none(actor), reason=reason)
    new.full_clean()
    new.save()
    ReferenceRate.objects.filter(pk=old.pk).update(superseded_by=new)
    record_audit(actor=actor, action="reference_rate.revise", obj=new, before=before,
                 after=snapshot(new, _RATE_FIELDS), note=reason)
    rate_row.superseded_by = new
    return new


@transaction.atomic
def policy_era_revise(*, era: PolicyEra, actor=None, reason: str, **changes) -> PolicyEra:
    """Change a policy era's terms: a new version row copying ``era`` with ``changes``
    (any of ``ERA_EDITABLE_FIELDS``); the old row is kept, superseded."""
    unknown = set(changes) - set(ERA_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"不可修改的字段：{', '.join(sorted(unknown))}")
    old = PolicyEra.objects.select_for_update().get(pk=era.pk)
    if old.superseded_by_id is not None:
        raise ValidationError("该政策期已被修订，请修订最新版本")
    before = snapshot(old, _ERA_FIELDS)
    values = {f: getattr(old, f) for f in ERA_EDITABLE_FIELDS}
    values.update(changes)
    new = PolicyEra(code=old.code, recorded_by=user_or_none(actor), reason=reason, **values)
    new.full_clean()
    new.save()
    PolicyEra.objects.filter(pk=old.pk).update(superseded_by=new)
    record_audit(actor=actor, action="policy_era.revise", obj=new, before=before,
                 after=snapshot(new, _ERA_FIELDS), note=reason)
    era.superseded_by = new
    return new


AUDIT_ACTIONS = {  # action code → label (audit log, issue #11 §3)
    "bank.create": _("新增合作银行"), "branch.create": _("新增银行网点"), "reference_rate.record": _("登记基准利率"),
    "reference_rate.revise": _("修订基准利率"), "policy_era.revise": _("修订政策期"),
}
