"""Reads on funds, scoped; and the lending quota of a bank (DOMAIN §7: lend ≤ 10× the fund).

`lending_quota(bank, county_prefix=None) -> (quota_fen, outstanding_fen)`; `fund_quota` is what
origination's policy checks read (the rule: ``domain.policy.quota_failures``).
"""

from __future__ import annotations

from django.db.models import Q, Sum

from microcredit.apps.accounts.scope import SYSTEM, Scope
from microcredit.apps.funds.ledger import balance
from microcredit.apps.funds.models import Claim, FundAccount, SubsidyBatch
from microcredit.apps.loans.selectors import LoanStatus, loan_list
from microcredit.domain.policy import FundQuota, quota_limit


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


def claims_visible(user):
    return _scoped(Claim.objects.select_related("loan", "account", "loan__household"), user, "region_code", "account__bank")


def batches_visible(user):
    return _scoped(SubsidyBatch.objects.select_related("bank"), user, "county_code")
