"""The risk compensation fund's double-entry ledger (DOMAIN §7, ARCHITECTURE §4).

Every write is a `JournalEntry` whose postings sum to zero (checked here before saving).
Balance of an account = sum of its `fund_cash` postings. Sign: debit positive, credit negative.
Every entry is dated between the account's opening and the business date (``domain.guards``):
deposits, interest, transfers, payouts and recoveries alike all pass through ``entry_post``.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from microcredit.apps.audit.services import record_audit, user_or_none
from microcredit.apps.core.clock import business_date
from microcredit.apps.funds.models import EntryKind, FundAccount, JournalEntry, Ledger, Posting
from microcredit.domain.errors import DomainError
from microcredit.domain.guards import check_money_date


class LedgerError(DomainError):
    pass


def balance(account: FundAccount, ledger: str = Ledger.FUND_CASH) -> int:
    return Posting.objects.filter(account=account, ledger=ledger).aggregate(s=Sum("amount"))["s"] or 0


def cash_balances(account_ids) -> dict[int, int]:
    """The ``fund_cash`` balance of each account of ``account_ids`` (0 when it has no posting), in
    one grouped query whatever their number (issue #15 §4)."""
    rows = (Posting.objects.filter(account_id__in=list(account_ids), ledger=Ledger.FUND_CASH).order_by()
            .values("account_id").annotate(s=Sum("amount")).values_list("account_id", "s"))
    return {account_id: total or 0 for account_id, total in rows}


def balances(account: FundAccount) -> dict[str, int]:
    rows = Posting.objects.filter(account=account).values("ledger").annotate(s=Sum("amount"))
    out = dict.fromkeys(Ledger.values, 0)
    out.update({r["ledger"]: r["s"] for r in rows})
    return out


@transaction.atomic
def entry_post(*, account: FundAccount, kind: str, on: dt.date, lines: list[tuple[str, int]], actor,
               memo: str = "", claim=None) -> JournalEntry:
    """Post one balanced journal entry (its amounts must sum to exactly zero)."""
    if not lines or any(isinstance(a, bool) or not isinstance(a, int) for _, a in lines):
        raise LedgerError("lines", "分录金额必须是整数（分）")
    if sum(a for _, a in lines) != 0:
        raise LedgerError("lines", f"借贷不平衡：合计 {sum(a for _, a in lines)} 分")
    check_money_date(on, business_date(), earliest=account.opened_on, earliest_label="专户开户日期", field="on",
                     label="记账日期", error=LedgerError)
    FundAccount.objects.select_for_update().filter(pk=account.pk).first()
    entry = JournalEntry.objects.create(account=account, kind=kind, on=on, memo=memo, claim=claim,
                                        created_by=user_or_none(actor))
    Posting.objects.bulk_create(Posting(entry=entry, account=account, ledger=l, amount=a) for l, a in lines if a)
    record_audit(actor=actor, action=f"fund.{kind}", obj=entry, after={"lines": lines, "memo": memo},
                 region_code=account.county_code, note=memo)
    return entry


def _positive(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise LedgerError("amount", "金额必须大于 0（分）")


def fund_deposit(*, account, amount: int, on, actor, memo="县级财政存入风险补偿金", top_up=False) -> JournalEntry:
    _positive(amount)
    return entry_post(account=account, kind=EntryKind.TOP_UP if top_up else EntryKind.DEPOSIT, on=on, actor=actor,
                      memo=memo, lines=[(Ledger.FUND_CASH, amount), (Ledger.COUNTY_CONTRIBUTION, -amount)])


def fund_interest(*, account, amount: int, on, actor, memo="专户利息") -> JournalEntry:
    _positive(amount)
    return entry_post(account=account, kind=EntryKind.INTEREST, on=on, actor=actor, memo=memo,
                      lines=[(Ledger.FUND_CASH, amount), (Ledger.INTEREST_INCOME, -amount)])


def fund_transfer_out(*, account, amount: int, on, actor, memo="调出至县级预算") -> JournalEntry:
    _positive(amount)
    if amount > balance(account):
        raise LedgerError("amount", "调出金额超过专户余额")
    return entry_post(account=account, kind=EntryKind.TRANSFER_OUT, on=on, actor=actor, memo=memo,
                      lines=[(Ledger.FUND_CASH, -amount), (Ledger.COUNTY_BUDGET, amount)])


def fund_payout(*, account, fund_share: int, on, actor, claim, memo="") -> JournalEntry:
    """Pay the fund's share of a claim; what exceeds the balance is borne by the county budget."""
    available = max(balance(account), 0)
    paid = min(available, fund_share)
    lines = [(Ledger.FUND_CASH, -paid), (Ledger.COMPENSATION, fund_share)]
    if fund_share > paid:
        lines.append((Ledger.COUNTY_BUDGET, -(fund_share - paid)))
    return entry_post(account=account, kind=EntryKind.PAYOUT, on=on, actor=actor, claim=claim,
                      memo=memo or f"代偿 {claim.number}", lines=lines)


def fund_recovery(*, account, fund_share: int, on, actor, claim, memo="") -> JournalEntry:
    _positive(fund_share)
    return entry_post(account=account, kind=EntryKind.RECOVERY, on=on, actor=actor, claim=claim,
                      memo=memo or f"追偿收回 {claim.number}",
                      lines=[(Ledger.FUND_CASH, fund_share), (Ledger.RECOVERY_INCOME, -fund_share)])


AUDIT_ACTIONS = {  # action code → label (audit log, issue #11 §3): the fund's entries, batches and claims
    **{f"fund.{kind}": format_lazy("{}{}", _("专户记账："), label) for kind, label in EntryKind.choices},
    "fund.subsidy_mode": _("变更县贴息方式"), "subsidy.draft": _("银行申报贴息"), "subsidy.recover": _("追回贴息"),
    "subsidy.verify": _("人行审核通过贴息批次"), "subsidy.approve": _("县级审批通过贴息批次"),
    "subsidy.pay": _("财政拨付贴息"), "subsidy.reject": _("驳回贴息批次"), "claim.file": _("银行申报代偿"),
    "claim.recovery": _("登记追偿收回"), "claim.notice": _("开始代偿村级公示"), "claim.verify": _("县级核实代偿"),
    "claim.agree": _("核实同意代偿（一方意见）"), "claim.return": _("退回代偿申请"),
    "claim.approve": _("领导小组审批代偿"), "claim.pay": _("拨付代偿资金"), "claim.reject": _("驳回代偿申请"),
}
