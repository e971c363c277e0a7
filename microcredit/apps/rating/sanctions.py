"""Honours, downgrade, the blacklist and credit village / township evaluation (DOMAIN §3, §8)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from microcredit.apps.accounts.scope import SYSTEM
from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.workflow import actor_or_none
from microcredit.apps.funds.services import subsidy_recover
from microcredit.apps.households.selectors import households_in_scope
from microcredit.apps.loans.selectors import LoanStatus, loan_list
from microcredit.apps.rating.models import BlacklistEntry, CreditRegion, Honour, Rating, RatingStatus
from microcredit.domain.classification import npl_balance
from microcredit.domain.credit_regions import (  # noqa: F401  (the thresholds, read by the credit-village page)
    CREDIT_VILLAGE_MAX_NPL, CREDIT_VILLAGE_MIN_SHARE, RegionFacts, credit_region,
)
from microcredit.domain.dates import add_months
from microcredit.domain.errors import ConflictError, DomainError
from microcredit.domain.scorecards import HONOUR_LABELS, honour_bonus

BLACKLIST_YEARS = 5
COVERED_RELATIONS = ("head", "spouse", "child", "parent")


@transaction.atomic
def honour_grant(*, household, kind: str, actor=None, on: dt.date | None = None, note: str = "") -> Honour:
    """Grant 诚信户/文明户/标兵户; the effective rating's general-credit bonus follows."""
    if kind not in HONOUR_LABELS:
        raise DomainError("kind", f"未知的荣誉：{kind}")
    on = on or business_date()
    row = Honour.objects.create(household=household, kind=kind, granted_on=on, note=note)
    Rating.objects.filter(household=household, status=RatingStatus.EFFECTIVE).update(honour_bonus=honour_bonus(kind))
    record_audit(actor=actor, action="rating.honour", obj=row, region_code=household.region_code,
                 household_id=household.pk, after={"kind": HONOUR_LABELS[kind], "bonus": honour_bonus(kind)})
    return row


@transaction.atomic
def blacklist_add(*, household, reason: str, actor=None, malicious: bool = True,
                  on: dt.date | None = None) -> BlacklistEntry:
    """List a household for 5 years, covering the head, spouse, children and parents (DOMAIN §8).

    Malicious default also stops subsidy and recovers what was paid on the household's loans that
    are still owed or written off (DOMAIN §6: 恶意逃废债 → 停止贴息并追回, a recovery batch each)."""
    if not reason.strip():
        raise DomainError("reason", "须填写列入黑名单的原因")
    on = on or business_date()
    ids = list(household.members.filter(relation__in=COVERED_RELATIONS).values_list("id_number", flat=True))
    if household.head_id_number not in ids:
        ids.append(household.head_id_number)
    entry = BlacklistEntry.objects.create(
        household=household, region_code=household.region_code, covered_id_numbers=ids, reason=reason,
        malicious=malicious, listed_on=on, until=add_months(on, 12 * BLACKLIST_YEARS),
        created_by=actor_or_none(actor),
    )
    Rating.objects.filter(household=household, status=RatingStatus.EFFECTIVE).update(
        status=RatingStatus.REVOKED, note="列入黑名单")
    record_audit(actor=actor, action="rating.blacklist.add", obj=entry, region_code=household.region_code,
                 household_id=household.pk, after={"reason": reason, "until": entry.until, "covered": len(ids)})
    if malicious:
        owed = loan_list(user=SYSTEM).filter(household=household,
                                             status__in=(LoanStatus.ACTIVE, LoanStatus.WRITTEN_OFF))
        for loan in owed:
            subsidy_recover(loan=loan, actor=actor, reason=f"列入失信黑名单：{reason}")
    return entry


@transaction.atomic
def blacklist_lift(*, entry: BlacklistEntry, decision: str, actor=None, on: dt.date | None = None) -> BlacklistEntry:
    """Lift a listing by a recorded decision."""
    if not decision.strip():
        raise DomainError("decision", "解除黑名单须记录解除决定")
    if entry.lifted_on:
        raise ConflictError("entry", "该记录已解除")
    entry.lifted_on, entry.lift_decision = on or business_date(), decision
    entry.lifted_by = actor_or_none(actor)
    entry.save()
    record_audit(actor=actor, action="rating.blacklist.lift", obj=entry, region_code=entry.region_code,
                 household_id=entry.household_id, after={"decision": decision})
    return entry


@transaction.atomic
def credit_region_evaluate(*, region, year: int, actor=None) -> CreditRegion:
    """Gather the facts of a village / township and record whether it is a 信用村/信用乡镇
    (the rule: ``domain.credit_regions.credit_region``, DOMAIN §3)."""
    prefix = region.prefix
    loans = list(loan_list(user=SYSTEM, region=prefix, status=LoanStatus.ACTIVE).values_list(
        "classification", "principal_outstanding"))
    facts = RegionFacts(
        households=households_in_scope(user=SYSTEM).filter(region_code__startswith=prefix).count(),
        rated=Rating.objects.filter(region_code__startswith=prefix, status=RatingStatus.EFFECTIVE).values(
            "household").distinct().count(),
        balance=sum(o for _c, o in loans), npl_balance=npl_balance(loans),
        malicious_defaults=BlacklistEntry.objects.filter(region_code__startswith=prefix, malicious=True,
                                                         listed_on__year__lte=year, lifted_on__isnull=True).count())
    result = credit_region(facts)
    row, _ = CreditRegion.objects.update_or_create(
        region=region, year=year,
        defaults={"region_code": region.code, "rated_share": result.rated_share, "npl_ratio": result.npl_ratio,
                  "malicious_defaults": facts.malicious_defaults, "granted": result.granted},
    )
    record_audit(actor=actor, action="rating.credit_region", obj=row, region_code=region.code,
                 after={"share": result.rated_share, "npl": result.npl_ratio, "malicious": facts.malicious_defaults,
                        "granted": result.granted})
    return row
