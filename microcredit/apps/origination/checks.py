"""Gathering the facts for the policy checks (DOMAIN §4) and running them.

The rules are ``domain.policy``; this module finds the era in force on the application date,
the household's rating, blacklist, loans and open applications, the circuit breakers (monitoring
app) and the bank's risk-fund quota (funds app). ``commitment_failures`` re-reads the facts that
can change before the money goes out and runs the rules of a money step (bank decision,
disbursement); ``disbursement_errors`` runs the contract's rules (``domain.policy.check_disbursement``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from microcredit.apps.accounts.scope import SYSTEM
from microcredit.apps.funds.selectors import fund_quota
from microcredit.apps.loans.selectors import LoanStatus, loan_list
from microcredit.apps.monitoring.selectors import breakers_for
from microcredit.apps.rating.selectors import current_rating, is_blacklisted
from microcredit.apps.reference.selectors import era_cap_rate, era_terms
from microcredit.domain.errors import FieldError
from microcredit.domain.policy import (
    ApplicantFacts, ApplicationRequest, Breaker, Commitment, Disbursement, PolicyFailure, Suspensions,
    check_application, check_commitment, check_disbursement,
)


def suspensions_for(household, bank, on: dt.date) -> Suspensions:
    """The circuit breakers in force for the household's village and township and the bank (§8),
    each with its reason and the day it tripped."""
    rows = breakers_for(region_code=household.region_code, bank=bank, on=on)
    return Suspensions(*(Breaker(*row) if row else False for row in rows))


def active_policy_loans(household) -> int:
    """The household's 在贷 policy loans (DOMAIN §4: at most one)."""
    return loan_list(user=SYSTEM, household=household, status=LoanStatus.ACTIVE).count()


def commitment_failures(rules, *, household, bank, amount: int, on: dt.date, lock: bool = False) -> list[PolicyFailure]:
    """Every failing rule of a step that commits money (``domain.policy.AT_BANK_DECISION`` or
    ``AT_DISBURSEMENT``) on facts read now: breakers in force on ``on``, the quota (its fund
    account row locked when ``lock``), the household's loans."""
    return check_commitment(rules, Commitment(
        amount=amount, outstanding_policy_loans=active_policy_loans(household),
        suspensions=suspensions_for(household, bank, on),
        quota=fund_quota(bank=bank, region_code=household.region_code, lock=lock)))


def disbursement_errors(app, *, amount: int, term_months: int, annual_rate: Decimal,
                        disbursed_on: dt.date) -> tuple[list[FieldError], Decimal | None, object]:
    """The contract's rules at disbursement (``domain.policy.check_disbursement``) on the era in
    force on the application date; returns the errors, the cap rate (None when it cannot be set)
    and the era row."""
    terms, era = era_terms(app.applied_on)
    term_ok = terms is not None and 1 <= term_months <= terms.max_term_months
    cap = era_cap_rate(era, disbursed_on, term_months) if term_ok else None
    contract = Disbursement(app.applied_on, app.amount, amount, term_months, Decimal(annual_rate), disbursed_on,
                            app.notice_ends_on)
    return check_disbursement(terms, contract, cap), cap, era


def policy_failures(*, household, borrower, bank, applied_on: dt.date, amount: int, term_months: int,
                    usage_mode: str, purpose: str, partner_name: str = "", has_link_agreement: bool = False,
                    annual_rate: Decimal | None = None, exclude_application=None) -> list[PolicyFailure]:
    """Every failing rule for this application, in Chinese (DOMAIN §4)."""
    terms, era = era_terms(applied_on)
    if terms is None:
        return [PolicyFailure("政策期", "applied_on", f"{applied_on.isoformat()} 没有生效的政策期")]
    rating = current_rating(household, applied_on)
    open_apps = household.applications.exclude(state__in=("disbursed", "rejected", "withdrawn"))
    if exclude_application is not None:
        open_apps = open_apps.exclude(pk=exclude_application.pk)
    facts = ApplicantFacts(
        status=household.status, is_wubao=household.is_wubao, borrower_birth=borrower.birth_date,
        grade=rating.grade if rating else "", credit_limit=rating.credit_limit if rating else 0,
        rating_valid_until=rating.valid_until if rating else None,
        blacklisted=is_blacklisted(household, applied_on),
        outstanding_policy_loans=active_policy_loans(household),
        borrower_in_household=borrower.household_id == household.pk, open_applications=open_apps.count(),
    )
    request = ApplicationRequest(applied_on, amount, term_months, usage_mode, purpose, partner_name,
                                 has_link_agreement, annual_rate)
    return check_application(
        terms, facts, request,
        cap_rate=era_cap_rate(era, applied_on, term_months) if annual_rate is not None and term_months > 0 else None,
        suspensions=suspensions_for(household, bank, applied_on),
        quota=fund_quota(bank=bank, region_code=household.region_code),
    )
