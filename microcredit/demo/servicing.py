"""Demo step "servicing" (after "loans"): what the county does with its book on the way to the
business date — late and partial repayments, early settlements at the counter, extensions,
renewals, risk-fund accounts with deposits and interest, compensation claims (the loans written
off after payout, the others standing in every workflow state), subsidy batches in every state,
then the daily close.

Everything goes through the services (events, ledgers, audit rows), on a sample of loans so the
county demo stays quick; the rest of the portfolio keeps the histories of "loans" (whose fates
— ``demo.loan_fates`` — say which loans this step writes off and which it may touch).
Deterministic: only ``ctx.rng``.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.funds import claims, ledger, subsidy
from microcredit.apps.funds.models import Claim, FundAccount
from microcredit.apps.loans import servicing as svc
from microcredit.apps.loans.models import EventKind, Loan, LoanEvent, LoanStatus
from microcredit.apps.monitoring.close import run_close
from microcredit.demo.context import DemoContext
from microcredit.domain.errors import DomainError

SAMPLE_LATE = 120
SAMPLE_SETTLE = 6
SAMPLE_RESTRUCTURE = 8
PARTIAL_MAX_DAYS = 80  # a partial payment leaves the loan overdue since then: keep it 关注, not 不良
CLAIM_PLAN = ["approved", "verified", "notice", "filed", "rejected"]  # on loans still overdue today
RECOVERED = 1  # claims paid, loan written off, and money recovered afterwards


def _user(ctx, role, bank=None):
    for u in ctx.users.values():
        if u.role == role and (bank is None or u.bank_id == bank.pk):
            return u
    return next((u for u in ctx.users.values() if u.role == role), None)


def _ids(ctx, fate: str) -> list[int]:
    """Loan ids the "loans" step gave ``fate`` (ascending, so the draws are reproducible)."""
    return sorted(i for i, f in ctx.extra.get("loans", {}).get("fates", {}).items() if f == fate)


def create_servicing(ctx: DemoContext) -> None:

    today = ctx.business_date
    if not Loan.objects.exists():
        return
    with pinned_business_date(today):
        active = set(Loan.objects.filter(status=LoanStatus.ACTIVE, disbursed_on__lt=today).values_list("id", flat=True))
        on_time = [i for i in _ids(ctx, "on_time") if i in active]
        ctx.rng.shuffle(on_time)
        _settlements(ctx, today, on_time[:SAMPLE_SETTLE])
        _late_payers(ctx, today, on_time[SAMPLE_SETTLE:SAMPLE_SETTLE + SAMPLE_LATE])
        _restructure(ctx, today)
        _funds(ctx, today)
        _claims(ctx, today)
        _subsidy(ctx, today)

        run = run_close(today)
        ctx.count("close_loans", run.loans)
    ctx.progress.write(f"  servicing: close {today} over {Loan.objects.filter(status=LoanStatus.ACTIVE).count()} loans\n")


def _settlements(ctx, today, loan_ids):
    """A few borrowers settle early at the counter (提前结清) after their last instalment."""

    officer = _user(ctx, "bank_officer")
    n = 0
    for loan_id in loan_ids:
        loan = Loan.objects.get(pk=loan_id)
        last = (LoanEvent.objects.filter(loan=loan, kind=EventKind.REPAYMENT).effective()
                .order_by("-on").values_list("on", flat=True).first() or loan.disbursed_on)
        on = last + dt.timedelta(days=ctx.rng.randint(1, max(1, (today - last).days)))
        try:
            svc.settlement_post(loan=loan, on=min(on, today), actor=officer, reference=f"DEMO-JQ-{loan.pk}")
        except DomainError:
            continue
        n += 1
    ctx.count("counter_settlements", n)


def _late_payers(ctx, today, loan_ids):
    """Some borrowers pay late or partly on their recent instalments."""

    rng = ctx.rng
    officer = _user(ctx, "bank_officer")
    n = 0
    for loan_id in loan_ids:
        loan = Loan.objects.get(pk=loan_id)
        last = (LoanEvent.objects.filter(loan=loan, kind=EventKind.REPAYMENT).effective()
                .order_by("-on", "-id").first())
        if last is None or (today - last.on).days < 3:
            continue
        r = rng.random()
        # the bank's batch debit failed: the on-time posting is reversed and the borrower pays later / partly
        svc.event_reverse(event=last, actor=officer, reason="批量扣款失败，冲正")
        if r < 0.70 or (r < 0.85 and (today - last.on).days > PARTIAL_MAX_DAYS):
            on, amount = min(today, last.on + dt.timedelta(days=rng.randint(3, 60))), last.amount + rng.randint(100, 3000)
        elif r < 0.85:
            on, amount = last.on, max(100, last.amount * rng.randint(30, 90) // 100)
        else:
            on, amount = last.on, last.amount + 20000  # pays ahead: advance 预收
        svc.repayment_post(loan=loan, amount=amount, on=on, actor=officer, reference=f"DEMO-LATE-{loan.pk}",
                           channel=rng.choice(["counter", "api"]))
        n += 1
    ctx.count("late_or_partial_repayments", n)


def _restructure(ctx, today):

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


ZHENG_YIN_BAO_BANK = "PSBC-QS"  # the demo county's 政银保 scheme (fund 20 / bank 30 / insurer 50, DOMAIN §7)


def _funds(ctx, today):
    """One risk-fund account per county × bank: the deposit, yearly interest, a top-up. In the demo county the
    postal bank's loans are insured under a 政银保 scheme, so the ``insurer`` login has loans and claims to follow."""

    finance = _user(ctx, "finance")
    accounts = []
    for c in ctx.counties:
        for bank in ctx.banks:
            outstanding = Loan.objects.filter(bank=bank, region_code__startswith=c.code[:6], status=LoanStatus.ACTIVE) \
                .aggregate(s=Sum("principal_outstanding"))["s"] or 0
            if not outstanding:
                continue
            acct = FundAccount.objects.create(county_code=c.code[:6], bank=bank, name=f"{c.name}风险补偿金（{bank.short_name}）",
                                              account_number=f"FX{c.code[:6]}{bank.code}",
                                              sharing_preset="zheng_yin_bao" if c.code == ctx.county.code
                                              and bank.code == ZHENG_YIN_BAO_BANK else "fund_bank_70_30",
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


COLLECTED = "银行多次上门及电话催收，借款人家庭无力偿还"


def _verify(claim, county, finance, pboc, on=None):
    """The county office, finance and PBoC each record their verification opinion (DOMAIN §7)."""
    for actor, opinion in ((county, "县乡村振兴局核实：死亡、灾害证明属实"), (finance, "财政局核实同意"),
                           (pboc, "人行核实：银行已按规定催收")):
        claim = claims.claim_transition(claim=claim, action="verify", actor=actor, on=on, opinion=opinion)
    return claim


def _claims(ctx, today):
    """Claims on the risk fund (DOMAIN §7): the loans planned "written_off" were claimed ≥ 95 days
    after they stopped paying, paid out (fund/bank sharing) and written off; a few loans still
    overdue today have claims standing in the other states."""

    rng = ctx.rng
    finance, county, pboc = _user(ctx, "finance"), _user(ctx, "county_office"), _user(ctx, "pboc")
    leader = ctx.users.get("county2") or county  # 领导小组: nobody approves what they verified
    stops = ctx.extra.get("loans", {}).get("stops", {})
    written_off = recovered = 0
    for loan in Loan.objects.filter(pk__in=_ids(ctx, "written_off")).order_by("id"):
        bank_user = _user(ctx, "bank_officer", loan.bank) or _user(ctx, "bank_officer")
        filed = min(stops[loan.pk] + dt.timedelta(days=rng.randint(95, 130)), today - dt.timedelta(days=40))
        verified = filed + dt.timedelta(days=1 + 7 + rng.randint(0, 6))
        paid = verified + dt.timedelta(days=rng.randint(3, 15))
        try:
            claim = claims.claim_file(loan=loan, cause=loan.risk_flag, collection_note=COLLECTED, actor=bank_user,
                                      on=filed)
            claims.claim_transition(claim=claim, action="notice", actor=county, on=filed + dt.timedelta(days=1))
            _verify(claim, county, finance, pboc, on=verified)
            claims.claim_transition(claim=claim, action="approve", actor=leader, on=verified, opinion="领导小组同意代偿")
            claim = claims.claim_transition(claim=claim, action="pay", actor=finance, on=paid)
            svc.loan_write_off(loan=loan, on=paid, actor=bank_user, reason=f"风险补偿金已代偿（{claim.number}），按规定核销")
            written_off += 1
            if recovered < RECOVERED:
                claims.claim_recovery(claim=claim, amount=max(100, claim.loss // 10), actor=bank_user,
                                      on=min(today, paid + dt.timedelta(days=30)))
                recovered += 1
        except DomainError as exc:
            ctx.log(f"  servicing: 贷款 {loan.number} 代偿未办成：{exc}")
    ctx.count("write_offs", written_off)
    made = 0
    notice_on = today - dt.timedelta(days=10)
    for loan in Loan.objects.filter(pk__in=_ids(ctx, "npl"), status=LoanStatus.ACTIVE).exclude(risk_flag="") \
            .order_by("id"):
        if made >= len(CLAIM_PLAN):
            break
        if claims.claim_refusals(loan, notice_on, loan.risk_flag):
            continue
        bank_user = _user(ctx, "bank_officer", loan.bank) or _user(ctx, "bank_officer")
        target = CLAIM_PLAN[made]
        try:
            claim = claims.claim_file(loan=loan, cause=loan.risk_flag, collection_note=COLLECTED, actor=bank_user,
                                      on=notice_on)
            if target == "rejected":
                claims.claim_transition(claim=claim, action="reject", actor=county, opinion="银行未按规定及时催收，不予代偿")
            elif target != "filed":
                claims.claim_transition(claim=claim, action="notice", actor=county, on=notice_on)
                if target != "notice":
                    _verify(claim, county, finance, pboc)
                if target == "approved":
                    claims.claim_transition(claim=claim, action="approve", actor=leader, opinion="领导小组同意代偿")
            made += 1
        except DomainError:
            continue
    ctx.count("claims", Claim.objects.count())


def _subsidy(ctx, today):

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
