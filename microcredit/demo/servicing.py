"""Demo step "servicing" (after "loans"): repayment histories with realistic behaviour, extensions,
renewals, risk flags from death/illness/disaster, risk-fund accounts with deposits and interest,
compensation claims and subsidy batches standing in every workflow state, then the daily close.

Everything goes through the services (events, ledgers, audit rows), on a sample of loans so the
county demo stays quick; the rest of the portfolio keeps the on-time histories of "loans".
Deterministic: only ``ctx.rng``.
"""

from __future__ import annotations

import datetime as dt

from microcredit.demo.context import DemoContext
from microcredit.demo.steps import register_step

import microcredit.demo.origination  # noqa: F401  (registers "loans" first)

SAMPLE_LATE = 120
SAMPLE_RESTRUCTURE = 8
CAUSES = [("death", "死亡", "借款人因病去世"), ("labour_loss", "重病", "户主重病丧失劳动能力"),
          ("disaster", "灾害", "暴雨洪灾，养殖棚舍损毁")]


def _user(ctx, role, bank=None):
    for u in ctx.users.values():
        if u.role == role and (bank is None or u.bank_id == bank.pk):
            return u
    return next((u for u in ctx.users.values() if u.role == role), None)


@register_step("servicing", after="loans")
def create_servicing(ctx: DemoContext) -> None:
    from microcredit.apps.core.clock import pinned_business_date
    from microcredit.apps.loans.models import Installment, Loan, LoanStatus

    today = ctx.business_date
    if not Loan.objects.exists():
        return
    with pinned_business_date(today):
        _late_payers(ctx, today)
        _restructure(ctx, today)
        _funds(ctx, today)
        _subsidy(ctx, today)
        from microcredit.apps.monitoring.close import run_close

        run = run_close(today)
        ctx.count("close_loans", run.loans)
    ctx.progress.write(f"  servicing: close {today} over {Loan.objects.filter(status=LoanStatus.ACTIVE).count()} loans\n")
    del Installment


def _late_payers(ctx, today):
    """Some borrowers pay late or partly on their recent instalments; a few stop (flags)."""
    from microcredit.apps.loans import servicing as svc
    from microcredit.apps.loans.models import EventKind, Loan, LoanEvent, LoanStatus

    rng = ctx.rng
    active = list(Loan.objects.filter(status=LoanStatus.ACTIVE, days_past_due=0).order_by("id")
                  .values_list("id", flat=True))
    rng.shuffle(active)
    officer = _user(ctx, "bank_officer")
    n = 0
    for loan_id in active[:SAMPLE_LATE]:
        loan = Loan.objects.get(pk=loan_id)
        last = (LoanEvent.objects.filter(loan=loan, kind=EventKind.REPAYMENT).effective()
                .order_by("-on", "-id").first())
        if last is None or (today - last.on).days < 3:
            continue
        r = rng.random()
        # the bank's batch debit failed: the on-time posting is reversed and the borrower pays later / partly
        svc.event_reverse(event=last, actor=officer, reason="批量扣款失败，冲正")
        if r < 0.55:
            on, amount = min(today, last.on + dt.timedelta(days=rng.randint(3, 60))), last.amount + rng.randint(100, 3000)
        elif r < 0.85:
            on, amount = last.on, max(100, last.amount * rng.randint(30, 90) // 100)
        else:
            on, amount = last.on, last.amount + 20000  # pays ahead: advance 预收
        svc.repayment_post(loan=loan, amount=amount, on=on, actor=officer, reference=f"DEMO-LATE-{loan.pk}",
                           channel=rng.choice(["counter", "api"]))
        n += 1
    ctx.count("late_or_partial_repayments", n)
    # defaults from death, illness, disaster on loans that stopped paying
    overdue = list(Loan.objects.filter(status=LoanStatus.ACTIVE, days_past_due__gt=0).order_by("id"))
    for loan in overdue[: max(3, len(overdue) // 3)]:
        cause = rng.choice(CAUSES)
        Loan.objects.filter(pk=loan.pk).update(risk_flag=cause[0])
    ctx.count("risk_flags", min(len(overdue), max(3, len(overdue) // 3)))


def _restructure(ctx, today):
    from microcredit.apps.loans import servicing as svc
    from microcredit.apps.loans.models import Loan, LoanStatus
    from microcredit.domain.errors import DomainError

    officer = _user(ctx, "bank_officer")
    near = list(Loan.objects.filter(status=LoanStatus.ACTIVE, days_past_due=0, maturity_date__gt=today,
                                    maturity_date__lte=today + dt.timedelta(days=120), disbursed_on__lt=today)
                .order_by("id")[: SAMPLE_RESTRUCTURE * 3])
    ext = ren = 0
    for k, loan in enumerate(near):
        try:
            if k % 3 == 0 and ext < SAMPLE_RESTRUCTURE:
                svc.loan_extend(loan=loan, on=today, extra_months=min(6, max(1, loan.term_months // 2)), actor=officer,
                                decision="受灾减产，经村、乡意见，银行同意展期")
                ext += 1
            elif ren < SAMPLE_RESTRUCTURE:
                svc.loan_renew(loan=loan, on=today, new_term_months=12, actor=officer,
                               without_principal_repayment=k % 2 == 1, decision="产业持续经营，同意续贷")
                ren += 1
        except DomainError:
            continue
    ctx.count("extensions", ext)
    ctx.count("renewals", ren)


def _funds(ctx, today):
    from django.db.models import Sum

    from microcredit.apps.funds import claims, ledger
    from microcredit.apps.funds.models import Claim, FundAccount
    from microcredit.apps.loans.models import Loan, LoanStatus
    from microcredit.domain.errors import DomainError

    finance, county = _user(ctx, "finance"), _user(ctx, "county_office")
    accounts = []
    for c in ctx.counties:
        for bank in ctx.banks:
            outstanding = Loan.objects.filter(bank=bank, region_code__startswith=c.code[:6], status=LoanStatus.ACTIVE) \
                .aggregate(s=Sum("principal_outstanding"))["s"] or 0
            if not outstanding:
                continue
            acct = FundAccount.objects.create(county_code=c.code[:6], bank=bank, name=f"{c.name}风险补偿金（{bank.short_name}）",
                                              account_number=f"FX{c.code[:6]}{bank.code}",
                                              sharing_preset="fund_bank_70_30" if len(accounts) % 2 == 0 else "fund_bank_80_20",
                                              opened_on=dt.date(2016, 1, 4))
            base = (outstanding // 10 // 100000 + 1) * 100000 + 2_000_000_00
            ledger.fund_deposit(account=acct, amount=base, on=dt.date(2016, 1, 5), actor=finance)
            for year in range(2017, today.year + 1):
                ledger.fund_interest(account=acct, amount=base * 35 // 10000, on=dt.date(year, 1, 1), actor=finance,
                                     memo=f"{year - 1} 年专户利息")
            ledger.fund_deposit(account=acct, amount=5_000_000, on=dt.date(2022, 6, 30), actor=finance,
                                memo="县级财政补充", top_up=True)
            accounts.append(acct)
    ctx.count("fund_accounts", len(accounts))
    flagged = list(Loan.objects.exclude(risk_flag="").filter(status=LoanStatus.ACTIVE).order_by("id"))
    plan = ["paid", "paid_recovered", "approved", "verified", "notice", "filed", "rejected"]
    made = 0
    for loan in flagged:
        if made >= len(plan):
            break
        bank_user = _user(ctx, "bank_officer", loan.bank) or _user(ctx, "bank_officer")
        if claims.claim_refusals(loan, today, loan.risk_flag if loan.risk_flag != "illness" else "labour_loss"):
            continue
        target = plan[made]
        try:
            notice_on = today - dt.timedelta(days=10)
            claim = claims.claim_file(loan=loan, cause=loan.risk_flag, collection_note="银行多次上门及电话催收，借款人家庭无力偿还",
                                      actor=bank_user, on=notice_on)
            if target == "rejected":
                claims.claim_transition(claim=claim, action="reject", actor=county, opinion="银行未按规定及时催收，不予代偿")
            elif target != "filed":
                claims.claim_transition(claim=claim, action="notice", actor=county, on=notice_on)
                if target not in ("notice",):
                    claims.claim_transition(claim=claim, action="verify", actor=county, opinion="县乡村振兴局、财政局、人行联合核实")
                if target in ("approved", "paid", "paid_recovered"):
                    claims.claim_transition(claim=claim, action="approve", actor=county, opinion="领导小组同意代偿")
                if target in ("paid", "paid_recovered"):
                    claim = claims.claim_transition(claim=claim, action="pay", actor=finance)
                if target == "paid_recovered":
                    claims.claim_recovery(claim=claim, amount=max(100, claim.loss // 10), actor=bank_user)
            made += 1
        except DomainError:
            continue
    ctx.count("claims", Claim.objects.count())


def _subsidy(ctx, today):
    from microcredit.apps.funds import subsidy
    from microcredit.domain.errors import DomainError

    officer, pboc, county, finance = (_user(ctx, "bank_officer"), _user(ctx, "pboc"), _user(ctx, "county_office"),
                                      _user(ctx, "finance"))
    if officer is None or officer.bank is None:
        return
    bank = officer.bank
    q_first = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    starts = []
    d = q_first
    for _ in range(5):
        d = (d - dt.timedelta(days=1)).replace(day=1)
        d = dt.date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
        starts.append(d)
    targets = ["paid", "paid", "approved", "verified", "drafted"]
    n = 0
    for start, target in zip(reversed(starts), targets):
        try:
            batch = subsidy.batch_draft(bank=bank, county_code=ctx.counties[0].code[:6], period="quarter", start=start,
                                        actor=officer, as_of=today)
            for action, who in (("verify", pboc), ("approve", county), ("pay", finance)):
                if batch.status == target:
                    break
                batch = subsidy.batch_transition(batch=batch, action=action, actor=who, opinion="审核无误")
            n += 1
        except DomainError:
            continue
    try:
        month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        batch = subsidy.batch_draft(bank=bank, county_code=ctx.counties[0].code[:6], period="month", start=month,
                                    actor=officer, as_of=today)
        subsidy.batch_transition(batch=batch, action="reject", actor=pboc, opinion="明细与银行台账不符，请核对后重报")
        n += 1
    except DomainError:
        pass
    ctx.count("subsidy_batches", n)
