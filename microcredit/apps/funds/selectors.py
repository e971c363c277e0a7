"""Reads on funds, scoped; and the lending quota of a bank (DOMAIN §7: lend ≤ 10× the fund).

`lending_quota(bank, county_prefix=None) -> (quota_fen, outstanding_fen)` is what origination
calls before a disbursement (see `quota_errors`).
"""

from __future__ import annotations

from django.db.models import Sum

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.funds.ledger import balance
from microcredit.apps.funds.models import Claim, FundAccount, SubsidyBatch
from microcredit.apps.loans.models import Loan, LoanStatus
from microcredit.domain.money import fen_to_yuan


def lending_quota(bank, county_prefix: str | None = None) -> tuple[int, int]:
    """(quota, outstanding) in fen: Σ max(balance, 0) × leverage of the bank's fund accounts
    (in the county when given) and the bank's outstanding principal of active loans there."""
    accounts = FundAccount.objects.filter(bank=bank)
    loans = Loan.objects.filter(bank=bank, status=LoanStatus.ACTIVE)
    if county_prefix:
        accounts = accounts.filter(county_code=county_prefix[:6])
        loans = loans.filter(region_code__startswith=county_prefix[:6])
    quota = sum(max(balance(a), 0) * a.leverage for a in accounts)
    outstanding = loans.aggregate(s=Sum("principal_outstanding"))["s"] or 0
    return quota, outstanding


def county_subsidy_mode(*, bank, county_code: str) -> str:
    """The county × bank subsidy mode new loans are disbursed with (its fund account's; "claim" 先收后补
    when none): "claim" or "direct". Existing loans keep theirs (``Loan.subsidy_mode``, ADR 0004)."""
    mode = FundAccount.objects.filter(bank=bank, county_code=county_code[:6]).values_list("subsidy_mode", flat=True).first()
    return mode or "claim"


def quota_errors(bank, region_code: str, amount: int) -> list[str]:
    """Why a new loan of ``amount`` fen by ``bank`` in ``region_code`` exceeds the quota ([] = ok).

    A county × bank without a fund account is not limited here (the fund is not set up yet).
    """
    if not FundAccount.objects.filter(bank=bank, county_code=region_code[:6]).exists():
        return []
    quota, outstanding = lending_quota(bank, region_code[:6])
    if outstanding + amount > quota:
        return [f"超过风险补偿金放大倍数额度：额度 {fen_to_yuan(quota)} 元，已用 {fen_to_yuan(outstanding)} 元，"
                f"本笔 {fen_to_yuan(amount)} 元"]
    return []


def _scoped(qs, user, region_field: str, bank_field: str = "bank"):
    scope = Scope.of(user)
    if scope.unrestricted:
        return qs
    qs = scope.filter_bank(qs, bank_field)
    if scope.region_prefixes:
        from django.db.models import Q

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
