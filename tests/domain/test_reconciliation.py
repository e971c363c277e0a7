"""Properties of reconciliation (microcredit.domain.reconciliation, DOMAIN §10): the findings do not
depend on the order of the ledger's rows, and each (check, subject) is reported at most once."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from microcredit.domain.identity import make_id_number
from microcredit.domain.reconciliation import (
    CHECKS,
    Caps,
    LedgerFacts,
    Person,
    reconcile,
)

FAST = settings(max_examples=150, deadline=None)
IDS = [make_id_number("411224", dt.date(1985, 5, 1), seq, True) for seq in range(6)]
WRONG = IDS[0][:17] + ("0" if IDS[0][-1] != "0" else "1")
PEOPLE = {n: Person(household=str(i // 2), status=("poor", "general", "exited")[i % 3], is_wubao=i == 4,
                    birth_date=dt.date(1985 if i != 5 else 1950, 5, 1), blacklisted=i == 3, region_code="411224100001")
          for i, n in enumerate(IDS[:-1])}
CAPS = Caps("帮扶小额信贷", 10_000_000, 36, Decimal("3.0"), ("poor", "exited"))


def caps_on(day: dt.date, term: int | None) -> Caps | None:
    return CAPS if day >= dt.date(2026, 1, 1) else None


facts = st.builds(
    LedgerFacts,
    bank=st.sampled_from(["NSH", "YCB"]),
    contract_number=st.sampled_from([f"HT{i}" for i in range(8)]),
    borrower_id=st.sampled_from([*IDS, WRONG]),
    amount=st.sampled_from([3_000_000, 5_000_000, 12_000_000]),
    disbursed_on=st.sampled_from([dt.date(2025, 6, 1), dt.date(2026, 3, 15)]),
    balance=st.sampled_from([0, 2_000_000, 5_000_000]),
    head_id=st.sampled_from(["", IDS[0], WRONG]),
    term_months=st.none() | st.sampled_from([12, 36, 48]),
    annual_rate=st.none() | st.sampled_from([Decimal("2.9"), Decimal("3.5")]),
    repaid_amount=st.none() | st.sampled_from([0, 3_000_000]),
    account_number=st.sampled_from(["", "A1", "A2"]),
    payee=st.sampled_from(["", "某合作社"]),
    usage_mode=st.sampled_from(["", "self", "enterprise"]),
    overdue_since=st.none() | st.just(dt.date(2026, 4, 1)),
    subsidy_to_date=st.none() | st.sampled_from([0, 500_000]),
    risk_fund=st.none() | st.booleans(),
    risk_fund_known=st.booleans(),
)
# A ledger holds each (bank, contract number) once (the natural key).
ledgers = st.lists(facts, max_size=14, unique_by=lambda f: (f.bank, f.contract_number))
KW = {"people": PEOPLE, "caps_on": caps_on, "officials": {IDS[1]: "县财政局"},
      "system_balances": {("NSH", "HT1"): 4_000_000}, "system_loans_of": {"0": ["SYS1"]}}


def _key(findings):
    return sorted((f.check, f.subject, f.bank, f.contract_number, f.detail, f.region_code,
                   str(sorted(map(str, f.evidence)))) for f in findings)


@FAST
@given(rows=ledgers, seed=st.randoms(use_true_random=False))
def test_reconcile_does_not_depend_on_the_order_of_rows(rows, seed):
    shuffled = list(rows)
    seed.shuffle(shuffled)
    assert _key(reconcile(rows, **KW)) == _key(reconcile(shuffled, **KW))


@FAST
@given(rows=ledgers)
def test_each_check_and_subject_at_most_once(rows):
    found = reconcile(rows, **KW)
    assert all(n == 1 for n in Counter((f.check, f.subject) for f in found).values())
    assert {f.check for f in found} <= set(CHECKS)
    again = reconcile(rows + rows, **KW)  # the same rows twice: nothing new, nothing twice
    assert all(n == 1 for n in Counter((f.check, f.subject) for f in again).values())


def test_a_clean_row_yields_nothing():
    row = LedgerFacts("NSH", "HT9", IDS[0], 5_000_000, dt.date(2026, 3, 15), 5_000_000, term_months=36,
                      annual_rate=Decimal("2.9"), repaid_amount=0, risk_fund=True, risk_fund_known=True)
    assert reconcile([row], people=PEOPLE, caps_on=caps_on) == []
