"""Risk-fund compensation claims (代偿, DOMAIN §7, §12): file with evidence → public notice at
the village (≥ 7 days) → verification → approval → payout split by the county's sharing
scheme (`domain.loss_sharing.share_loss`); recoveries are shared back in the same ratios.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.documents import document_errors, sniffed_type
from microcredit.apps.accounts.roles import ROLE_LABELS
from microcredit.apps.core.workflow import acting_role, actor_or_none, transition_take
from microcredit.apps.funds import ledger
from microcredit.apps.funds.models import (Claim, ClaimCause, ClaimEvidence, ClaimRecovery, ClaimStatus, FundAccount,
                                           WorkflowStep)
from microcredit.apps.loans.selectors import LoanStatus, loan_current_state
from microcredit.domain.errors import DomainError
from microcredit.domain.guards import check_money_date
from microcredit.domain.loss_sharing import SHARING_PRESETS, share_loss
from microcredit.domain.workflow import CLAIM_VERIFIERS, RISK_FUND_CLAIM, notice_end, notice_errors

OPEN = (ClaimStatus.FILED, ClaimStatus.NOTICE, ClaimStatus.VERIFIED, ClaimStatus.APPROVED)


class ClaimError(DomainError):
    pass


def claim_refusals(loan, on: dt.date, cause: str) -> list[str]:
    """Why a claim on ``loan`` filed on ``on`` would be refused ([] = may be filed)."""
    reasons = []
    account = FundAccount.objects.filter(bank=loan.bank, county_code=loan.region_code[:6]).first()
    if account is None:
        return ["该县该银行未设立风险补偿金专户"]
    if loan.status not in (LoanStatus.ACTIVE, LoanStatus.WRITTEN_OFF):
        reasons.append(f"贷款状态为“{loan.get_status_display()}”，不能申请代偿")
    if cause not in ClaimCause.values:
        reasons.append("代偿原因不在允许范围（死亡、丧失劳动能力、重大自然灾害、其他经认定原因）")
    state = loan_current_state(loan, on)
    if state.days_past_due < account.min_overdue_days:
        reasons.append(f"逾期 {state.days_past_due} 天，未满 {account.min_overdue_days} 天，不能申请代偿")
    if Claim.objects.filter(loan=loan, status__in=OPEN).exists():
        reasons.append("该贷款已有在办的代偿申请")
    return reasons


MAX_EVIDENCE = 10


@transaction.atomic
def claim_file(*, loan, cause: str, collection_note: str, actor, on: dt.date | None = None,
               cause_detail: str = "", evidence: list = ()) -> Claim:
    """The bank files a claim with its proof of collection (refused with the reasons otherwise)."""
    on = on or business_date()
    check_money_date(on, business_date(), earliest=loan.disbursed_on, earliest_label="放款日", field="on",
                     label="申报日期", error=ClaimError)
    if not collection_note.strip():
        raise ClaimError("collection_note", "请填写催收情况（银行须先行催收）")
    if len(evidence) > MAX_EVIDENCE:
        raise ClaimError("evidence", f"证明材料最多 {MAX_EVIDENCE} 个文件")
    bad = [e for f in evidence for e in document_errors(f, "evidence")]
    if bad:
        raise ClaimError("evidence", "；".join(e.message for e in bad))
    reasons = claim_refusals(loan, on, cause)
    if reasons:
        raise ClaimError("loan", "；".join(reasons))
    account = FundAccount.objects.get(bank=loan.bank, county_code=loan.region_code[:6])
    state = loan_current_state(loan, on)
    count = Claim.objects.filter(account=account).count() + 1
    claim = Claim.objects.create(
        number=f"DC{account.county_code}{account.bank.code}{on:%Y%m}{count:04d}", loan=loan, account=account,
        region_code=loan.region_code, cause=cause, cause_detail=cause_detail, collection_note=collection_note,
        filed_on=on, days_past_due=state.days_past_due, loss_principal=state.principal_outstanding,
        loss_interest=state.overdue_interest, sharing_preset=account.sharing_preset, created_by=actor_or_none(actor))
    for f in evidence:  # checked above, before anything was written
        ClaimEvidence.objects.create(claim=claim, file=f, description=getattr(f, "name", "")[:120],
                                     content_type=sniffed_type(f), size=f.size)
    WorkflowStep.objects.create(claim=claim, action="file", from_state="", to_state=claim.status,
                                opinion=collection_note, actor=actor_or_none(actor), on=on)
    record_audit(actor=actor, action="claim.file", obj=claim,
                 after={"loss": claim.loss, "cause": cause, "evidence": [getattr(f, "name", "")[:120] for f in evidence]},
                 region_code=loan.region_code, household_id=loan.household_id)
    return claim


def _agreed(claim: Claim) -> dict[str, WorkflowStep]:
    """The verifiers' agreements since the claim last entered its notice step, by role (issue #12 §11)."""
    entry = (WorkflowStep.objects.filter(claim=claim, to_state=ClaimStatus.NOTICE).exclude(from_state=ClaimStatus.NOTICE)
             .order_by("-at", "-id").first())
    if entry is None:
        return {}
    steps = (WorkflowStep.objects.filter(claim=claim, from_state=ClaimStatus.NOTICE, action__in=VERIFY_ACTIONS,
                                         id__gt=entry.id).select_related("actor").order_by("id"))
    return {s.actor_role: s for s in steps}


def claim_opinions(claim: Claim) -> list[tuple[str, WorkflowStep | None]]:
    """(role label, its agreement or None) for the county office, finance and PBoC, in that order: the
    verification step's three opinions (DOMAIN §7; one each, any order)."""
    agreed = _agreed(claim) if claim.status in (ClaimStatus.NOTICE, ClaimStatus.VERIFIED, ClaimStatus.APPROVED,
                                                ClaimStatus.PAID) else {}
    return [(str(ROLE_LABELS.get(role, role)), agreed.get(role)) for role in CLAIM_VERIFIERS]


VERIFY_ACTIONS = ("agree", "verify")


@transaction.atomic
def claim_transition(*, claim: Claim | int, action: str, actor, opinion: str = "", on: dt.date | None = None) -> Claim:
    """Take one step of the claim (``core.workflow.transition_take``): the notice dates, the notice
    length before verification, the payout split and its ledger posting; ``reject`` keeps its reason.

    Verification (DOMAIN §7, issue #12 §11): the county office, finance and PBoC each agree once, in any
    order (``verify`` or ``agree``); the agreements of the first two are the notice step's ``agree``
    transitions (the claim stays in its notice), the third is ``verify`` (→ verified). A role that agreed
    already is refused; any of the three may return the claim to the bank or reject it with a reason."""
    on = on or business_date()
    claim = Claim.objects.select_for_update().get(pk=getattr(claim, "pk", claim))
    check_money_date(on, business_date(), earliest=claim.filed_on, earliest_label="申报日期", field="on",
                     label="办理日期", error=ClaimError)
    if action in VERIFY_ACTIONS and claim.status == ClaimStatus.NOTICE:
        role = acting_role(actor, RISK_FUND_CLAIM, claim.status, "verify")
        agreed = _agreed(claim)
        if role in agreed:
            raise ClaimError("action", f"{ROLE_LABELS.get(role, role)}已于 {agreed[role].on} 核实同意，不能重复核实")
        action = "verify" if set(CLAIM_VERIFIERS) <= set(agreed) | {role} else "agree"

    def effect(claim: Claim, _t) -> None:
        if action == "reject":
            claim.rejection_reason = opinion
        elif action == "notice":
            claim.notice_start, claim.notice_end = on, notice_end(on)
        elif action in VERIFY_ACTIONS:
            errors = notice_errors(claim.notice_end, on)
            if errors:
                raise ClaimError.from_errors(errors)
        elif action == "pay":
            claim.shares = dict(share_loss(claim.loss, SHARING_PRESETS[claim.sharing_preset]))
            ledger.fund_payout(account=claim.account, fund_share=claim.shares["fund"], on=on, actor=actor, claim=claim)

    claim = transition_take(RISK_FUND_CLAIM, claim, action, actor=actor, opinion=opinion, on=on, effect=effect)
    record_audit(actor=actor, action=f"claim.{action}", obj=claim, before={"status": claim.taken.from_state},
                 after={"status": claim.status, "shares": claim.shares, "role": claim.taken.actor_role},
                 region_code=claim.region_code, household_id=claim.loan.household_id, note=opinion)
    return claim


@transaction.atomic
def claim_recovery(*, claim: Claim | int, amount: int, actor, on: dt.date | None = None) -> dict:
    """Money recovered after payout is shared back in the same ratios; the fund's share is booked."""
    pk = claim.pk if isinstance(claim, Claim) else claim
    claim = Claim.objects.select_for_update().select_related("account", "loan").get(pk=pk)
    if claim.status != ClaimStatus.PAID:
        raise ClaimError("claim", "仅已代偿的申请可登记追偿收回")
    if amount <= 0 or claim.recovered + amount > claim.loss:
        raise ClaimError("amount", "追回金额须大于 0 且累计不超过损失金额")
    on = on or business_date()
    check_money_date(on, business_date(), earliest=claim.filed_on, earliest_label="申报日期", field="on",
                     label="追回日期", error=ClaimError)
    shares = dict(share_loss(amount, SHARING_PRESETS[claim.sharing_preset]))
    if shares["fund"]:
        ledger.fund_recovery(account=claim.account, fund_share=shares["fund"], on=on, actor=actor, claim=claim)
    claim.recovered += amount
    claim.save(update_fields=["recovered"])
    ClaimRecovery.objects.create(claim=claim, on=on, amount=amount, shares=shares)
    record_audit(actor=actor, action="claim.recovery", obj=claim, after={"amount": amount, "shares": shares},
                 region_code=claim.region_code, household_id=claim.loan.household_id)
    return shares
