"""Interest subsidy claims (贴息, DOMAIN §6, §12): a bank drafts a batch for a month or quarter
→ PBoC verifies → county approves → finance pays. Each line is one loan period, with the
amount from `domain.subsidy.subsidy_by_period` (so batch totals = Σ lines = Σ domain amounts).
After a malicious default, subsidy already paid is recovered by negative lines.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum

from microcredit.apps.accounts.scope import SYSTEM
from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.workflow import actor_or_none, transition_take
from microcredit.apps.funds.models import SubsidyBatch, SubsidyLine, SubsidyStatus, WorkflowStep
from microcredit.apps.funds.selectors import county_subsidy_mode
from microcredit.apps.loans.selectors import (LoanStatus, loan_direct_periods, loan_list, loan_payments, loan_schedule,
                                              loan_subsidy_mode_on, loan_subsidy_terms, loan_terms)
from microcredit.apps.loans.services import loan_risk_flag_set
from microcredit.domain.errors import DomainError
from microcredit.domain.subsidy import PeriodSubsidy, subsidy_by_period
from microcredit.domain.workflow import SUBSIDY_BATCH

MALICIOUS = "malicious_default"


class SubsidyError(DomainError):
    pass


def period_bounds(period: str, start: dt.date) -> tuple[dt.date, dt.date]:
    """[first day, last day] of the month or quarter containing ``start``."""
    if period == "month":
        first = start.replace(day=1)
        last_month = first.month
    elif period == "quarter":
        first = dt.date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
        last_month = first.month + 2
    else:
        raise SubsidyError("period", "期间须为 month 或 quarter")
    return first, dt.date(first.year, last_month, calendar.monthrange(first.year, last_month)[1])


subsidy_terms = loan_subsidy_terms  # the terms are the loan's, fixed at disbursement


def subsidy_mode(bank, county_code: str) -> str:
    """The mode new loans of the county × bank are disbursed with (ADR 0004); existing loans keep theirs."""
    return county_subsidy_mode(bank=bank, county_code=county_code)


def loan_subsidy_periods(loan, as_of: dt.date):
    """The domain's per-period subsidy (先收后补) of a loan as of a day. Periods the loan has in 直接贴付 mode
    (ADR 0004 amendment) earn nothing here: their share is claimed by a direct-mode batch."""
    day = max(as_of, loan.disbursed_on)
    periods = subsidy_by_period(loan_schedule(loan), loan_terms(loan), loan_payments(loan, day), subsidy_terms(loan), day)
    return tuple(p if loan_subsidy_mode_on(loan, p.due_date) == "claim"
                 else PeriodSubsidy(p.seq, p.period_start, p.due_date, False, 0, "本期为直接贴付，按直接贴付申报",
                                    p.days_in_window)
                 for p in periods)


def _claimed(loan_ids) -> set[tuple[int, int, int]]:
    return set(SubsidyLine.objects.filter(loan_id__in=loan_ids, kind="subsidy")
               .exclude(batch__status=SubsidyStatus.REJECTED)
               .values_list("loan_id", "schedule_version", "seq"))


@transaction.atomic
def batch_draft(*, bank, county_code: str, period: str, start: dt.date, actor, mode: str | None = None,
                as_of: dt.date | None = None) -> SubsidyBatch:
    """Draft the bank's claim: every eligible, not yet claimed period due in the month/quarter.

    ``mode`` (default: the county × bank's current one) selects the periods: each loan's period is claimed
    in the mode the loan had for it (``Loan.subsidy_mode``, set at disbursement; ADR 0004 amendment), so a
    county that changed its mode claims its older loans' periods in the other mode's batch. Direct mode
    (直接贴付) claims the subsidy share of each period the household paid its share of on time (ADR 0004)."""
    first, last = period_bounds(period, start)
    as_of = as_of or business_date()
    mode = mode or subsidy_mode(bank, county_code)
    if mode not in ("claim", "direct"):
        raise SubsidyError("mode", "贴息方式须为先收后补或直接贴付")
    periods_of = loan_direct_periods if mode == "direct" else loan_subsidy_periods
    if as_of < last:
        raise SubsidyError("start", f"期间未结束（至 {last}），不能申报")
    loans = list(loan_list(user=SYSTEM, region=county_code[:6]).filter(bank=bank, disbursed_on__lte=last,
                                                                     installments__due_date__range=(first, last))
                 .exclude(status=LoanStatus.WRITTEN_OFF).exclude(risk_flag=MALICIOUS).distinct())
    claimed = _claimed([x.pk for x in loans])
    n = SubsidyBatch.objects.filter(bank=bank, county_code=county_code[:6]).count() + 1
    batch = SubsidyBatch.objects.create(
        number=f"TX{county_code[:6]}{bank.code}{first:%Y%m}{n:03d}", bank=bank, county_code=county_code[:6],
        period=period, period_start=first, period_end=last, mode=mode, created_by=actor_or_none(actor))
    lines = []
    for loan in loans:
        rate = min(Decimal(loan.annual_rate), Decimal(loan.cap_rate))
        for p in periods_of(loan, as_of):
            if first <= p.due_date <= last and p.eligible and p.amount > 0 \
                    and (loan.pk, loan.schedule_version, p.seq) not in claimed:
                lines.append(SubsidyLine(batch=batch, loan=loan, schedule_version=loan.schedule_version, seq=p.seq,
                                         period_start=p.period_start, due_date=p.due_date,
                                         days_in_window=p.days_in_window, rate=rate, ratio=loan.subsidy_ratio,
                                         amount=p.amount, reason=p.reason))
    SubsidyLine.objects.bulk_create(lines)
    _totals(batch)
    WorkflowStep.objects.create(batch=batch, action="draft", from_state="", to_state=batch.status,
                                actor=actor_or_none(actor), on=as_of)
    record_audit(actor=actor, action="subsidy.draft", obj=batch, after={"total": batch.total, "lines": batch.line_count},
                 region_code=batch.county_code)
    return batch


def _totals(batch: SubsidyBatch) -> None:
    agg = batch.lines.aggregate(s=Sum("amount"), n=Count("id"))
    batch.total, batch.line_count = agg["s"] or 0, agg["n"]
    SubsidyBatch.objects.filter(pk=batch.pk).update(total=batch.total, line_count=batch.line_count)


@transaction.atomic
def batch_transition(*, batch: SubsidyBatch | int, action: str, actor, opinion: str = "") -> SubsidyBatch:
    """Take one step of the batch (``core.workflow.transition_take``); ``reject`` keeps its reason."""
    def effect(batch: SubsidyBatch, _t) -> None:
        if action == "reject":
            batch.rejection_reason = opinion

    batch = transition_take(SUBSIDY_BATCH, batch, action, actor=actor, opinion=opinion, effect=effect)
    record_audit(actor=actor, action=f"subsidy.{action}", obj=batch, before={"status": batch.taken.from_state},
                 after={"status": batch.status, "total": batch.total}, region_code=batch.county_code, note=opinion)
    return batch


@transaction.atomic
def subsidy_recover(*, loan, actor, reason: str) -> SubsidyBatch | None:
    """Malicious default: stop subsidy and recover what was paid (negative lines in a new batch)."""
    if not reason.strip():
        raise SubsidyError("reason", "请填写恶意逃废债的认定依据")
    loan_risk_flag_set(loan=loan, flag=MALICIOUS, actor=actor, note=reason)
    paid = list(SubsidyLine.objects.filter(loan=loan, kind="subsidy", batch__status=SubsidyStatus.PAID))
    recovered = set(SubsidyLine.objects.filter(loan=loan, kind="recovery").exclude(batch__status=SubsidyStatus.REJECTED)
                    .values_list("schedule_version", "seq"))
    todo = [x for x in paid if (x.schedule_version, x.seq) not in recovered]
    record_audit(actor=actor, action="subsidy.recover", obj=loan, after={"lines": len(todo)},
                 region_code=loan.region_code, household_id=loan.household_id, note=reason)
    if not todo:
        return None
    today = business_date()
    first, last = period_bounds("month", today)
    n = SubsidyBatch.objects.filter(bank=loan.bank, county_code=loan.region_code[:6]).count() + 1
    batch = SubsidyBatch.objects.create(
        number=f"TXZH{loan.region_code[:6]}{loan.bank.code}{first:%Y%m}{n:03d}", bank=loan.bank,
        county_code=loan.region_code[:6], period="month", period_start=first, period_end=last,
        created_by=actor_or_none(actor))
    SubsidyLine.objects.bulk_create(
        SubsidyLine(batch=batch, loan=loan, kind="recovery", schedule_version=x.schedule_version, seq=x.seq,
                    period_start=x.period_start, due_date=x.due_date, days_in_window=x.days_in_window, rate=x.rate,
                    ratio=x.ratio, amount=-x.amount, reason=f"恶意逃废债追回：{reason}"[:120]) for x in todo)
    _totals(batch)
    WorkflowStep.objects.create(batch=batch, action="draft", from_state="", to_state=batch.status,
                                opinion=reason, actor=actor_or_none(actor), on=today)
    return batch


def quarterly_report(batches_qs, year: int, quarter: int) -> dict:
    """扶贫小额贷款贴息情况季度报表: per bank, the quarter's and year-to-date subsidy (paid batches)."""
    q_first = dt.date(year, 3 * quarter - 2, 1)
    _, q_last = period_bounds("quarter", q_first)
    lines = SubsidyLine.objects.filter(batch__in=batches_qs.filter(status=SubsidyStatus.PAID))
    ytd = lines.filter(due_date__range=(dt.date(year, 1, 1), q_last))
    rows = (ytd.values("batch__bank__name", "batch__county_code")
            .annotate(q_amount=Sum("amount", filter=Q(due_date__gte=q_first)),
                      q_loans=Count("loan", distinct=True, filter=Q(due_date__gte=q_first)),
                      q_households=Count("loan__household", distinct=True, filter=Q(due_date__gte=q_first)),
                      ytd_amount=Sum("amount"), ytd_loans=Count("loan", distinct=True))
            .order_by("batch__county_code", "batch__bank__name"))
    rows = [{**r, "q_amount": r["q_amount"] or 0} for r in rows]
    return {"year": year, "quarter": quarter, "first": q_first, "last": q_last, "rows": rows,
            "total_q": sum(r["q_amount"] for r in rows), "total_ytd": sum(r["ytd_amount"] or 0 for r in rows)}
