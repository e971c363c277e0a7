"""The demo county (seed 1, county scale) behaves like a real county that follows up its overdue
loans (issue #8 §1): 不良率 0.5–3 %, 逾期率 < 5 %, a handful of villages above the 5 % breaker, no
township or bank suspended, never two 在贷 loans per household, write-offs and early
settlements present, and the ``village`` login's own village can lend to most of its rated
households on the business date.

The county is generated once for the module (about 30 s) inside a transaction that is rolled
back afterwards; the figures are read there and each test asserts one of them.
"""

from __future__ import annotations

import datetime as dt
import io
from fractions import Fraction

import pytest
from django.db import transaction
from django.db.models import Count

from microcredit.demo.runner import generate
from microcredit.demo.scales import scale_for

pytestmark = pytest.mark.django_db  # (also makes pytest-django create the test database for the fixture)
DAY = dt.date(2026, 12, 3)


def _clerk_village(ctx, day: dt.date) -> dict:
    """Rated households of the clerk's village without a loan 在贷, and how many may apply today."""
    from microcredit.apps.households.models import Household
    from microcredit.apps.loans.models import Loan
    from microcredit.apps.origination.checks import policy_failures
    from microcredit.apps.rating.selectors import current_rating

    village = ctx.users["village"].scope_regions[0]
    bank = ctx.users["bank"].bank
    busy = set(Loan.objects.filter(status="active", region_code=village).values_list("household_id", flat=True))
    rated = passed = 0
    failures: dict[str, int] = {}
    for hh in Household.objects.filter(region_code=village, is_wubao=False).order_by("number"):
        rating = current_rating(hh, day)
        if rating is None or not rating.grade or rating.valid_until < day or hh.pk in busy:
            continue
        rated += 1
        borrower = hh.members.filter(relation__in=("head", "spouse")).order_by("birth_date").last()
        found = policy_failures(household=hh, borrower=borrower, bank=bank, applied_on=day,
                                amount=min(rating.credit_limit, 3_000_000), term_months=36, usage_mode="self",
                                purpose="养殖滩羊扩大规模")
        passed += not found
        for f in found:
            failures[f.message] = failures.get(f.message, 0) + 1
    return {"code": village, "rated_free": rated, "passed": passed, "failures": failures}


def _figures(ctx) -> dict:
    from microcredit.apps.loans.models import EventKind, Loan, LoanEvent
    from microcredit.apps.monitoring.models import Aggregate, Suspension
    from microcredit.apps.regions.models import Region

    county = Aggregate.objects.get(as_of=DAY, level="county", bank_id=0)
    villages = {a.code: Fraction(a.npl_balance, a.balance) for a in
                Aggregate.objects.filter(as_of=DAY, level="village", bank_id=0, balance__gt=0)}
    banks = {a.bank_id: Fraction(a.npl_balance, a.balance) for a in
             Aggregate.objects.filter(as_of=DAY, level="bank", balance__gt=0).exclude(bank_id=0)}
    open_suspensions = Suspension.objects.filter(lifted_on__isnull=True)
    return {
        "npl": Fraction(county.npl_balance, county.balance),
        "overdue": Fraction(county.overdue_balance, county.balance),
        "villages": Region.objects.filter(level="village").count(),
        "villages_above_5": sorted(code for code, r in villages.items() if r > Fraction(5, 100)),
        "banks": banks,
        "suspended": {level: set(open_suspensions.filter(level=level).values_list("region_code", "bank_id"))
                      for level in ("village", "township", "bank")},
        "two_active": Loan.objects.filter(status="active").values("household").annotate(n=Count("id"))
        .filter(n__gt=1).count(),
        "write_offs": LoanEvent.objects.filter(kind=EventKind.WRITE_OFF).effective().count(),
        "written_off_loans": Loan.objects.filter(status="written_off").count(),
        "settlements": LoanEvent.objects.filter(kind=EventKind.SETTLEMENT).effective().count(),
        "clerk": _clerk_village(ctx, DAY),
    }


def _walk_through(ctx) -> list[str]:
    """The demo logins take the first eligible household of the clerk's village from application to
    money, one step each (nobody approves what they submitted); the states reached, in order."""
    from decimal import Decimal

    from microcredit.apps.core.clock import pinned_business_date
    from microcredit.apps.households.models import Household
    from microcredit.apps.loans.models import Loan
    from microcredit.apps.origination import services
    from microcredit.apps.origination.checks import policy_failures
    from microcredit.apps.rating.selectors import current_rating
    from microcredit.domain.guards import luhn_check_digit

    users = ctx.users
    village, bank = users["village"].scope_regions[0], users["bank"].bank
    busy = set(Loan.objects.filter(status="active").values_list("household_id", flat=True))
    with pinned_business_date(DAY):
        for hh in Household.objects.filter(region_code=village, is_wubao=False).order_by("number"):
            rating = current_rating(hh, DAY)
            borrower = hh.members.filter(relation="head").first()
            if hh.pk in busy or rating is None or not rating.grade or policy_failures(
                    household=hh, borrower=borrower, bank=bank, applied_on=DAY, amount=2_000_000, term_months=24,
                    usage_mode="self", purpose="养殖滩羊"):
                continue
            app = services.application_create(household=hh, borrower=borrower, bank=bank, amount=2_000_000,
                                              term_months=24, industry="养殖", purpose="养殖滩羊", actor=users["village"],
                                              on=DAY)
            states = [app.state]
            for action, who in (("submit", "village"), ("approve", "village2"), ("approve", "township"),
                                ("approve", "county"), ("approve", "bank")):
                app = services.application_transition(application=app, action=action, actor=users[who], on=DAY,
                                                      opinion="同意")
                states.append(app.state)
            card = "6230001234567890" + "12"
            services.application_disburse(application=app, actor=users["bank"], annual_rate=Decimal("3.0000"),
                                          method="interest_quarterly", account_number=card + luhn_check_digit(card))
            app.refresh_from_db()
            return states + [app.state]
    return []


def _insurer_day(ctx) -> dict:
    """What the ``insurer`` login sees (issue #11 §8): the 政银保 bank's loans and claims, and its panel."""
    from microcredit.apps.core.clock import pinned_business_date
    from microcredit.apps.funds import dashboard, selectors

    insurer = ctx.users["insurer"]
    with pinned_business_date(DAY):
        return {"banks": set(selectors.insured_loans(user=insurer).values_list("bank__code", flat=True)),
                "claim_banks": set(selectors.claims_visible(insurer).values_list("account__bank__code", flat=True)),
                "panel": {f["key"]: f["count"] for f in dashboard.insurer_panel(insurer, None)["figures"]}}


@pytest.fixture(scope="module")
def figures(django_db_setup, django_db_blocker):
    """Generate the county once; read its figures; roll everything back."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            ctx = generate(seed=1, scale=scale_for("county"), business_date=DAY, progress=io.StringIO())
            out = _figures(ctx)
            out["walk"] = _walk_through(ctx)
            out["insurer"] = _insurer_day(ctx)
            transaction.set_rollback(True)
    return out


def test_county_npl_between_half_and_three_percent(figures):
    assert Fraction(5, 1000) <= figures["npl"] <= Fraction(3, 100), float(figures["npl"])


def test_county_overdue_below_five_percent(figures):
    assert figures["overdue"] < Fraction(5, 100), float(figures["overdue"])


def test_a_handful_of_villages_trip_the_village_breaker(figures):
    above = figures["villages_above_5"]
    assert 1 <= len(above) <= figures["villages"] * 5 // 100, above
    assert {code for code, _ in figures["suspended"]["village"]} == set(above)


def test_no_township_and_no_bank_suspended(figures):
    assert figures["suspended"]["township"] == set()
    assert figures["suspended"]["bank"] == set()
    assert figures["banks"] and all(r <= Fraction(3, 100) for r in figures["banks"].values()), figures["banks"]


def test_no_household_has_two_active_loans(figures):
    assert figures["two_active"] == 0


def test_write_offs_and_early_settlements_exist(figures):
    assert figures["write_offs"] >= 1 and figures["written_off_loans"] == figures["write_offs"]
    assert figures["settlements"] >= 1


def test_the_village_clerk_can_lend_to_most_of_the_village(figures):
    clerk = figures["clerk"]
    assert clerk["code"] not in {code for code, _ in figures["suspended"]["village"]}
    assert clerk["rated_free"] >= 30, clerk
    assert clerk["passed"] * 2 > clerk["rated_free"], clerk


def test_the_insurer_follows_the_zheng_yin_bao_bank_only(figures):
    from microcredit.demo.servicing import ZHENG_YIN_BAO_BANK

    day = figures["insurer"]
    assert day["banks"] == {ZHENG_YIN_BAO_BANK} and day["claim_banks"] <= {ZHENG_YIN_BAO_BANK}
    assert day["panel"]["active"] > 0


def _portfolio() -> tuple:
    """The loans, their events and claims, by business keys (ids differ between runs on PostgreSQL)."""
    from microcredit.apps.funds.models import Claim
    from microcredit.apps.loans.models import Loan, LoanEvent

    loans = list(Loan.objects.order_by("number").values_list(
        "number", "household__number", "status", "principal_outstanding", "days_past_due", "classification",
        "risk_flag"))
    events = list(LoanEvent.objects.order_by("loan__number", "on", "kind", "amount").values_list(
        "loan__number", "kind", "on", "amount"))
    claims = sorted(Claim.objects.values_list("loan__number", "status", "loss_principal", "loss_interest", "recovered"))
    return loans, events, claims


def test_same_seed_gives_the_same_portfolio():
    """Fates, follow-up, claims and write-offs come from the seed only (small scale, generated twice)."""
    runs = []
    for _ in range(2):
        with transaction.atomic():
            generate(seed=5, scale=scale_for("test", 800), business_date=DAY, progress=io.StringIO())
            runs.append(_portfolio())
            transaction.set_rollback(True)
    loans, events, claims = runs[0]
    assert {row[2] for row in loans} >= {"active", "settled", "written_off"}
    assert {row[1] for row in events} >= {"disbursement", "repayment", "settlement", "write_off"}
    assert claims
    assert runs[0] == runs[1]


def test_a_household_of_the_clerks_village_goes_from_application_to_money(figures):
    """The walk-through after ``make demo``: no step refused by a breaker a real county would not trip."""
    assert figures["walk"] == ["draft", "village_review", "township_review", "county_review", "bank_review",
                               "approved", "disbursed"]
