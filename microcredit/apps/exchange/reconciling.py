"""Reconciliation of bank ledgers (DOMAIN §10): gather the facts in a few bulk reads, run the pure checks
(`domain.reconciliation.reconcile`), open or update one problem case per finding (in bulk), keep the run."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter

from django.db import transaction

from microcredit.apps.accounts.scope import SYSTEM
from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.masking import mask_text
from microcredit.apps.core.workflow import actor_or_none
from microcredit.apps.exchange.models import LedgerImport, LedgerLoan, PublicEmployee, ReconciliationRun
from microcredit.apps.households.selectors import people_by_id_number
from microcredit.apps.loans.selectors import balances_on, loans_on_ledger
from microcredit.apps.problems.services import FoundProblem, problems_found
from microcredit.apps.rating.selectors import blacklisted_households
from microcredit.apps.reference.selectors import bank_list, current_rate_fixings, era_cap_rate, era_terms
from microcredit.apps.regions.selectors import regions_in_scope
from microcredit.domain.rates import SHIPPED_RATES
from microcredit.domain.reconciliation import CHECKS, Caps, LedgerFacts, Person, reconcile
from microcredit.domain.regions import significant_prefix

MAX_FINDINGS = 2000  # kept in a report; every finding is counted and each is a problem case


def bank_rows() -> list[tuple[int, str, str, str]]:
    return list(bank_list().values_list("id", "code", "name", "short_name"))


def home_region(actor) -> str:
    """The county an importer works in (the one county in their scope), else ""."""
    counties = list(regions_in_scope(user=actor_or_none(actor) or SYSTEM, level="county").values_list("code", flat=True)[:2])
    return counties[0] if len(counties) == 1 else ""


_FACT_FIELDS = ("bank__code", "contract_number", "borrower_id", "amount", "disbursed_on", "balance", "head_id",
                "borrower_name", "term_months", "annual_rate", "repaid_amount", "account_number", "payee",
                "usage_mode", "overdue_since", "unpaid_interest_since", "subsidy_to_date", "risk_fund",
                "risk_fund_known", "region_code", "bank__short_name")


def _caps_on():
    cache, fixings = {}, current_rate_fixings() or SHIPPED_RATES

    def caps(day: dt.date, term_months: int | None) -> Caps | None:
        terms, era = cache.get(day) or cache.setdefault(day, era_terms(day))
        if terms is None:
            return None
        rate = era_cap_rate(era, day, term_months or 12, fixings)
        return Caps(terms.name, terms.max_amount, terms.max_term_months, rate, terms.eligible_statuses,
                    terms.min_age, terms.max_age)

    return caps


def _people(id_numbers: set[str], on: dt.date, known: dict | None = None) -> dict[str, Person]:
    """Registered people by ID number; ``known`` — people an import just looked up — are not read again."""
    known = known or {}
    found = {n: known[n] for n in id_numbers if n in known}
    found.update(people_by_id_number({n for n in id_numbers if n not in known}))
    banned = blacklisted_households(on)
    return {n: Person(str(p[0]), p[1], p[2], p[3], p[0] in banned, p[4]) for n, p in found.items()}


def _system_side(dates: dict[dt.date, set[int]]) -> tuple[dict, dict]:
    """What the system services, as of each ledger date: the balances of the ledger banks' loans (their
    rows are compared with a ledger of the same day) and every household's outstanding loans."""
    balances: dict[tuple[str, str], int] = {}
    loans_of: dict[str, list[str]] = {}
    for day, bank_ids in sorted(dates.items()):
        balances.update(balances_on(day, bank_ids))
        for _code, number, household in loans_on_ledger(day):
            loans_of.setdefault(str(household), []).append(number)
    return balances, loans_of


@transaction.atomic
def reconcile_run(*, actor, bank_ids=None, region_code: str = "", ledger_import: LedgerImport | None = None,
                  on: dt.date | None = None, known_people: dict | None = None) -> ReconciliationRun:
    """Run every check (DOMAIN §10) over the ledgers of ``bank_ids`` (None: every bank) within
    ``region_code`` (""/None: everywhere the ledgers are), and open or update one problem case per finding.

    Findings whose loan has no region (borrower unknown, village names unknown) take ``region_code``, or
    the importer's county; a finding with neither is reported but opens no case.
    """
    on = on or business_date()
    qs = LedgerLoan.objects.all()
    if bank_ids is not None:
        qs = qs.filter(bank_id__in=list(bank_ids))
    if region_code:
        qs = qs.filter(region_code__startswith=significant_prefix(region_code))
    facts, dates = [], {}
    for *row, as_of, bank_id in qs.values_list(*_FACT_FIELDS, "as_of", "bank_id").iterator(chunk_size=20_000):
        facts.append(LedgerFacts(*row))
        dates.setdefault(as_of, set()).add(bank_id)
    people = _people({f.borrower_id for f in facts}, on, known_people)
    balances, loans_of = _system_side(dates)
    officials = dict(PublicEmployee.objects.values_list("id_number", "unit"))
    findings = reconcile(facts, people=people, caps_on=_caps_on(), officials=officials, system_balances=balances,
                         system_loans_of=loans_of)
    home = region_code if len(region_code or "") == 12 else (ledger_import.region_code if ledger_import else "")
    home = home or home_region(actor)
    banks = {code: (pk, short or name) for pk, code, name, short in bank_rows()}
    problems = []
    for f in findings:
        region = f.region_code or home
        if not region:
            continue
        key = f"ledger:{f.check}:{f.subject}"
        if len(key) > 120:
            key = f"ledger:{f.check}:#{hashlib.blake2b(f.subject.encode(), digest_size=16).hexdigest()}"
        household = people.get(f.borrower_id)
        problems.append(FoundProblem(
            dedupe_key=key, region_code=region, description=mask_text(f.detail), evidence=f.evidence,
            title=f"{CHECKS[f.check]}：{banks.get(f.bank, (None, f.bank))[1]} {f.contract_number}"[:200],
            bank_id=banks.get(f.bank, (None,))[0], household_id=int(household.household) if household else None,
            subject=f"{banks.get(f.bank, (None, f.bank))[1]} {f.contract_number}"))
    cases = problems_found(source="reconciliation", found=problems, actor=actor, on=on) if problems else {}
    counts = dict(Counter(f.check for f in findings))
    run = ReconciliationRun.objects.create(
        bank_id=next(iter(bank_ids)) if bank_ids is not None and len(set(bank_ids)) == 1 else None,
        region_code=region_code or "", ledger_import=ledger_import, rows=len(facts), counts=counts,
        findings=[f.as_dict() for f in findings[:MAX_FINDINGS]], finding_count=len(findings),
        created_by=actor_or_none(actor))
    record_audit(actor=actor, action="ledger_reconcile", obj=run,
                 after={"rows": len(facts), "findings": len(findings), **cases})
    return run
