"""Writes of risk flags and post-loan checks (DOMAIN §8): one transaction each, audited.

Every flag set or cleared refreshes the cached ``Loan.risk_flag`` of the loans it applies to (the
loan; a household's active loans) through ``loans.services.loan_risk_flag_set`` — the open flag of
highest priority, or "" — and never touches a flag another rule set (``malicious_default``,
``domain.postloan.cached_flag``). A failed check raises a ``usage_failed`` flag in its transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from microcredit.apps.accounts.scope import SYSTEM, Scope
from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.clock import business_date, now
from microcredit.apps.core.documents import document_errors, sniffed_type
from microcredit.apps.core.workflow import actor_or_none
from microcredit.apps.loans.selectors import LoanStatus, loans_visible
from microcredit.apps.loans.services import loan_risk_flag_set
from microcredit.apps.postloan import selectors
from microcredit.apps.postloan.models import CheckResult, PostLoanCheck, RiskFlag
from microcredit.domain.errors import ConflictError, DomainError
from microcredit.domain.postloan import (FLAG_LABELS, USAGE_FAILED, cached_flag, check_errors, flag_errors,
                                         next_check_due, reason_errors)


class PostloanRefused(DomainError):
    """A flag or a check that may not be recorded (field + Chinese message)."""


class PostloanConflict(ConflictError):
    """Refused because of how things stand (already open, already cleared, out of scope, no right)."""


def _may(actor, perm: str, region_code: str, what: str) -> None:
    user = actor_or_none(actor)
    if user is None:
        return  # the system (demo, commands)
    if not user.has_perm(perm):
        raise PostloanConflict("actor", f"无权{what}")
    if not Scope.of(user).covers(region_code):
        raise PostloanConflict("actor", "不在您的管辖范围内")


def _refresh(loan_ids, actor, note: str) -> None:
    """Make each loan's cached risk_flag its open flag of highest priority (rows locked while read)."""
    ids = sorted(set(loan_ids))
    if not ids:
        return
    for loan in loans_visible(user=SYSTEM).select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"):
        wanted = cached_flag(loan.risk_flag, selectors.open_flag_kinds(loan))
        if wanted != loan.risk_flag:
            loan_risk_flag_set(loan=loan, flag=wanted, actor=actor, note=note)


def _affected(flag: RiskFlag) -> list[int]:
    if flag.loan_id is not None:
        return [flag.loan_id]
    return list(loans_visible(user=SYSTEM).filter(household_id=flag.household_id, status=LoanStatus.ACTIVE)
                .values_list("pk", flat=True))


def _subject(flag: RiskFlag) -> str:
    return f"贷款 {flag.loan.number}" if flag.loan_id else f"农户 {flag.household.head_name}（{flag.household.number}）"


@transaction.atomic
def flag_set(*, kind: str, reason: str, actor, loan=None, household=None, on: dt.date | None = None,
             from_check: PostLoanCheck | None = None) -> RiskFlag:
    """Set a risk flag on a loan (在贷) or on a household (DOMAIN §8); refuses every bad input at once
    (kind, reason), a second open flag of the same kind on the same subject, out-of-scope actors."""
    if (loan is None) == (household is None):
        raise PostloanRefused("subject", "请选择一笔贷款或一户农户")
    errors = flag_errors(kind, reason)
    if errors:
        raise PostloanRefused.from_errors(errors)
    region = loan.region_code if loan is not None else household.region_code
    _may(actor, "postloan.manage_flag", region, "设置风险标识")
    if loan is not None and loan.status != LoanStatus.ACTIVE:
        raise PostloanConflict("loan", "只能对在贷的贷款设置风险标识")
    label = FLAG_LABELS[kind]
    subject = {"loan": loan} if loan is not None else {"household": household}
    if RiskFlag.objects.filter(**subject, kind=kind, cleared_on__isnull=True).exists():
        raise PostloanConflict("kind", f"已有未解除的「{label}」风险标识")
    try:
        with transaction.atomic():
            flag = RiskFlag.objects.create(kind=kind, region_code=region, reason=reason.strip(),
                                           set_on=on or business_date(), set_by=actor_or_none(actor),
                                           from_check=from_check, **subject)
    except IntegrityError as exc:  # a concurrent set of the same kind
        raise PostloanConflict("kind", f"已有未解除的「{label}」风险标识") from exc
    record_audit(actor=actor, action="postloan.flag_set", obj=flag, region_code=region,
                 household_id=loan.household_id if loan is not None else household.pk,
                 after={"kind": label, "subject": _subject(flag)}, note=flag.reason)
    _refresh(_affected(flag), actor, f"风险标识：{label}")
    return flag


@transaction.atomic
def flag_clear(*, flag: RiskFlag, reason: str, actor, on: dt.date | None = None) -> RiskFlag:
    """Clear an open flag with a reason; the row keeps who/when/why of both halves."""
    errors = reason_errors(reason, label="解除原因")
    if errors:
        raise PostloanRefused.from_errors(errors)
    _may(actor, "postloan.manage_flag", flag.region_code, "解除风险标识")
    flag = RiskFlag.objects.select_for_update(of=("self",)).select_related("loan", "household").get(pk=flag.pk)
    if flag.cleared_on is not None:
        raise PostloanConflict("flag", f"该风险标识已于 {flag.cleared_on:%Y-%m-%d} 解除")
    flag.cleared_on, flag.cleared_at = on or business_date(), now()
    flag.cleared_by, flag.clear_reason = actor_or_none(actor), reason.strip()
    flag.save(update_fields=["cleared_on", "cleared_at", "cleared_by", "clear_reason"])
    label = FLAG_LABELS[flag.kind]
    record_audit(actor=actor, action="postloan.flag_clear", obj=flag, region_code=flag.region_code,
                 household_id=flag.loan.household_id if flag.loan_id else flag.household_id,
                 before={"kind": label}, after={"cleared_on": flag.cleared_on}, note=flag.clear_reason)
    _refresh(_affected(flag), actor, f"解除风险标识：{label}")
    return flag


@transaction.atomic
def check_record(*, loan, passed: bool | None, finding: str, actor, checked_on: dt.date | None = None,
                 photo=None, latitude: Decimal | None = None, longitude: Decimal | None = None) -> PostLoanCheck:
    """Record a usage check of an active loan (DOMAIN §8); a failed one raises a ``usage_failed`` flag on the
    loan in the same transaction (unless one is open already). Every bad input is refused at once."""
    today = business_date()
    checked_on = checked_on or today
    errors = check_errors(passed=passed, finding=finding, checked_on=checked_on, disbursed_on=loan.disbursed_on,
                          today=today, latitude=latitude, longitude=longitude)
    if photo is not None:
        errors += document_errors(photo, "photo")
    if errors:
        raise PostloanRefused.from_errors(errors)
    _may(actor, "postloan.record_check", loan.region_code, "登记贷后检查")
    if loan.status != LoanStatus.ACTIVE:
        raise PostloanConflict("loan", "只能对在贷的贷款登记贷后检查")
    due_on = next_check_due(loan.disbursed_on, selectors.last_check_on(loan))
    check = PostLoanCheck.objects.create(
        loan=loan, region_code=loan.region_code, due_on=due_on, checked_on=checked_on,
        checked_by=actor_or_none(actor), result=CheckResult.PASSED if passed else CheckResult.FAILED,
        finding=finding.strip(), photo=photo or "", photo_type=sniffed_type(photo) if photo is not None else "",
        latitude=latitude, longitude=longitude,
    )
    record_audit(actor=actor, action="postloan.check", obj=check, region_code=loan.region_code,
                 household_id=loan.household_id,
                 after={"result": check.get_result_display(), "checked_on": checked_on, "due_on": due_on,
                        "photo": bool(photo)}, note=check.finding)
    if not passed and not selectors.open_flag_kinds(loan).count(USAGE_FAILED):
        flag_set(kind=USAGE_FAILED, reason=f"贷后检查未通过：{check.finding}"[:500], actor=actor, loan=loan,
                 on=checked_on, from_check=check)
    return check


AUDIT_ACTIONS = {  # action code → label (audit log, issue #11 §3)
    "postloan.flag_set": _("设置风险标识"), "postloan.flag_clear": _("解除风险标识"),
    "postloan.check": _("登记贷后检查"),
}
