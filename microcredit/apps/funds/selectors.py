"""Reads on funds, scoped; and the lending quota of a bank (DOMAIN §7: lend ≤ 10× the fund).

`lending_quota(bank, county_prefix=None) -> (quota_fen, outstanding_fen)`; `fund_quota` is what
origination's policy checks read (the rule: ``domain.policy.quota_failures``). The insurer of a
政银保 scheme (DOMAIN §1, §7) reads the loans it insures (`insured_loans`) and the claims on them
(`claim_list`, `party_share`, `recovered_share`), read-only.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import Q, Sum
from django.db.models.functions import Substr

from microcredit.apps.accounts import roles
from microcredit.apps.accounts.scope import SYSTEM, Scope
from microcredit.apps.funds.ledger import balance, cash_balances
from microcredit.apps.funds.models import Claim, ClaimRecovery, ClaimStatus, FundAccount, SubsidyBatch
from microcredit.apps.loans.selectors import LoanStatus, loan_list
from microcredit.domain.loss_sharing import SHARING_PRESETS, share_loss
from microcredit.domain.policy import FundQuota, quota_limit

INSURER_PARTY = "insurer"  # the party code in domain.loss_sharing
INSURED_PRESETS = tuple(code for code, parties in SHARING_PRESETS.items() if any(p == INSURER_PARTY for p, _r in parties))
"""The sharing schemes with an insurer's share (政银保, DOMAIN §7)."""
PENDING_CLAIMS = (ClaimStatus.FILED, ClaimStatus.NOTICE, ClaimStatus.VERIFIED, ClaimStatus.APPROVED)
INSURED_VIEWS = {"active": ("在贷", {"status": LoanStatus.ACTIVE}),
                 "overdue": ("逾期在贷", {"status": LoanStatus.ACTIVE, "dpd": "1+"}),
                 "npl": ("不良在贷", {"status": LoanStatus.ACTIVE, "classification": "npl"})}
"""The insured loan list's views (``?show=``): label and the ``loans.selectors.loan_list`` filters."""


def lending_quota(bank, county_prefix: str | None = None) -> tuple[int, int]:
    """(quota, outstanding) in fen: Σ max(balance, 0) × leverage of the bank's fund accounts
    (in the county when given) and the bank's outstanding principal of active loans there."""
    accounts = FundAccount.objects.filter(bank=bank)
    loans = loan_list(user=SYSTEM, status=LoanStatus.ACTIVE).filter(bank=bank)
    if county_prefix:
        accounts = accounts.filter(county_code=county_prefix[:6])
        loans = loans.filter(region_code__startswith=county_prefix[:6])
    quota = quota_limit((balance(a), a.leverage) for a in accounts)
    outstanding = loans.aggregate(s=Sum("principal_outstanding"))["s"] or 0
    return quota, outstanding


class AccountFigures(NamedTuple):
    """A fund account with its cash balance and its bank's quota and outstanding in its county (fen)."""

    account: FundAccount
    balance: int
    quota: int
    outstanding: int


def accounts_with_figures(*, user) -> list[AccountFigures]:
    """The fund accounts visible to ``user``, each with `lending_quota`'s figures, in three queries
    whatever their number (issue #15 §4): the accounts with their banks, the cash balances grouped
    by account, the active loans' outstanding grouped by bank and county. An account is the only
    one of its county × bank (``fund_account_county_bank``), so its quota is its own balance ×
    leverage."""
    accounts = list(accounts_visible(user).order_by("county_code", "bank__code", "pk"))
    if not accounts:
        return []
    cash = cash_balances(a.pk for a in accounts)
    counties = sorted({a.county_code for a in accounts})
    in_counties = Q(pk__in=[])
    for county in counties:
        in_counties |= Q(region_code__startswith=county)
    loans = (loan_list(user=SYSTEM, status=LoanStatus.ACTIVE).filter(in_counties, bank_id__in={a.bank_id for a in accounts})
             .order_by().annotate(county=Substr("region_code", 1, 6)).values("bank_id", "county")
             .annotate(s=Sum("principal_outstanding")).values_list("bank_id", "county", "s"))
    outstanding = {(bank_id, county): total or 0 for bank_id, county, total in loans}
    return [AccountFigures(a, cash.get(a.pk, 0), quota_limit([(cash.get(a.pk, 0), a.leverage)]),
                           outstanding.get((a.bank_id, a.county_code), 0)) for a in accounts]


def county_subsidy_mode(*, bank, county_code: str) -> str:
    """The county × bank subsidy mode new loans are disbursed with (its fund account's; "claim" 先收后补
    when none): "claim" or "direct". Existing loans keep theirs (``Loan.subsidy_mode``, ADR 0004)."""
    mode = FundAccount.objects.filter(bank=bank, county_code=county_code[:6]).values_list("subsidy_mode", flat=True).first()
    return mode or "claim"


def fund_quota(*, bank, region_code: str, lock: bool = False) -> FundQuota | None:
    """The bank's risk-fund quota in the county (DOMAIN §7), None when no fund account exists (the
    county × bank is not limited before its fund is set up).

    ``lock`` holds the fund account rows until the transaction ends, so two disbursements of the
    same bank in the county cannot both use the last of the quota.
    """
    accounts = FundAccount.objects.filter(bank=bank, county_code=region_code[:6])
    if not list((accounts.select_for_update() if lock else accounts).values_list("pk", flat=True)):
        return None
    quota, outstanding = lending_quota(bank, region_code[:6])
    return FundQuota(quota, 1, outstanding)


def _scoped(qs, user, region_field: str, bank_field: str = "bank"):
    scope = Scope.of(user)
    if scope.unrestricted:
        return qs
    qs = scope.filter_bank(qs, bank_field)
    if scope.region_prefixes:
        q = Q(pk__in=[])
        for p in scope.region_prefixes:
            q |= Q(**{region_field: p[:6]}) if region_field.endswith("county_code") \
                else Q(**{f"{region_field}__startswith": p})
        qs = qs.filter(q)
    elif scope.bank_id is None:
        return qs.none()
    return qs


def accounts_visible(user):
    return _scoped(FundAccount.objects.select_related("bank"), user, "county_code")


def is_insurer(user) -> bool:
    return getattr(user, "role", "") == roles.INSURER


def claims_visible(user):
    """Claims in the user's scope; an insurer's only those shared with an insurer (政银保). This is also the
    claim workflow's acting scope, where the insurer has no step: it reads, never acts."""
    qs = _scoped(Claim.objects.select_related("loan", "account", "loan__household"), user, "region_code", "account__bank")
    return qs.filter(sharing_preset__in=INSURED_PRESETS) if is_insurer(user) else qs


def claim_list(*, user, status: str | None = None, insured: bool = False, paid_year: int | None = None,
               recovered_year: int | None = None):
    """The visible claims, filtered: status, only 政银保 ones, paid in a year, with recoveries in a year."""
    qs = claims_visible(user).prefetch_related("recoveries")
    if status:
        qs = qs.filter(status=status)
    if insured:
        qs = qs.filter(sharing_preset__in=INSURED_PRESETS)
    if paid_year:
        qs = qs.filter(status=ClaimStatus.PAID, steps__action="pay", steps__on__year=paid_year)
    if recovered_year:
        qs = qs.filter(pk__in=ClaimRecovery.objects.filter(on__year=recovered_year).values("claim_id"))
    return qs


def party_shares(claim: Claim) -> list[tuple[str, int]]:
    """(party, fen) of the claim's loss: as paid, or, before payout, as the claim's scheme would split it."""
    return list(claim.shares.items()) if claim.shares else list(share_loss(claim.loss, SHARING_PRESETS[claim.sharing_preset]))


def party_share(claim: Claim, party: str = INSURER_PARTY) -> int:
    """The party's share (fen) of the claim's loss (``party_shares``)."""
    return dict(party_shares(claim)).get(party, 0)


def recovered_share(claim: Claim, party: str = INSURER_PARTY, year: int | None = None) -> int:
    """The party's share (fen) of the money recovered on the claim after payout (in ``year`` when given)."""
    return sum(r.shares.get(party, 0) for r in claim.recoveries.all() if year is None or r.on.year == year)


def insured_accounts(user):
    """The visible fund accounts whose scheme has an insurer's share (政银保)."""
    return accounts_visible(user).filter(sharing_preset__in=INSURED_PRESETS)


def insured_q(user) -> Q:
    """Loans of banks whose fund account in the loan's county has a scheme with an insurer's share (DOMAIN §7);
    also the insurer's whole view of loans (registered as its loan scope in funds' ready())."""
    q = Q(pk__in=[])
    for bank_id, county in insured_accounts(user).values_list("bank_id", "county_code"):
        q |= Q(bank_id=bank_id, region_code__startswith=county)
    return q


def insured_loans(*, user, show: str | None = None):
    """The insured loans in the user's scope, narrowed by a view of ``INSURED_VIEWS`` when given."""
    return loan_list(user=user, **(INSURED_VIEWS[show][1] if show else {})).filter(insured_q(user))


def batches_visible(user):
    return _scoped(SubsidyBatch.objects.select_related("bank"), user, "county_code")


from microcredit.apps.funds.models import Ledger, Posting, SubsidyLine  # reports' reads (issue #12 §9), kept with them


def subsidy_lines_list(*, user, start, end, region_prefix: str = "", bank=None):
    """Subsidy lines (贴息明细) of the visible batches whose period lies in [start, end], with their loan,
    household and batch (issue #12 §9: the quarterly subsidy report)."""
    batches = batches_visible(user).filter(period_start__gte=start, period_end__lte=end)
    if bank is not None:
        batches = batches.filter(bank_id=getattr(bank, "pk", bank))
    qs = SubsidyLine.objects.filter(batch__in=batches).select_related("batch", "batch__bank", "loan", "loan__household",
                                                                      "loan__borrower")
    if region_prefix:
        qs = qs.filter(loan__region_code__startswith=region_prefix)
    scope = Scope.of(user)
    if not scope.unrestricted:
        qs = scope.filter_regions(qs, "loan__region_code") if scope.region_prefixes else qs
    return qs.order_by("batch__bank_id", "loan__region_code", "loan__number", "seq")


def fund_account_movements(*, user, start, end, bank=None) -> list[dict]:
    """Per visible fund account, the risk-fund ledger over [start, end] (issue #12 §9: 风险补偿金台账): opening
    and closing cash, deposits (存入/补充), interest, payouts, recoveries, transfers out (fen), its leverage."""
    accounts = accounts_visible(user)
    if bank is not None:
        accounts = accounts.filter(bank_id=getattr(bank, "pk", bank))
    out = []
    for account in accounts.order_by("county_code", "bank_id", "id"):
        cash = Posting.objects.filter(account=account, ledger=Ledger.FUND_CASH)
        opening = cash.filter(entry__on__lt=start).aggregate(s=Sum("amount"))["s"] or 0
        moves = dict.fromkeys(("deposit", "interest", "top_up", "payout", "recovery", "transfer_out"), 0)
        for row in cash.filter(entry__on__gte=start, entry__on__lte=end).values("entry__kind").annotate(s=Sum("amount")):
            moves[row["entry__kind"]] = moves.get(row["entry__kind"], 0) + row["s"]
        out.append({"account": account, "opening": opening, "closing": opening + sum(moves.values()), **moves})
    return out

