"""Indicators (DOMAIN §9, issue #12 item 7) on a hand-built portfolio whose answers are written by hand.

The county 卢氏县 (411224) has two townships: 城关镇 (…100: villages 东关村 …100001, 西关村 …100002) and
东明镇 (…101: 东明村 …101001, 南沟村 …101002). Rate 4.35 %, ACT/360, close of 2026-06-30:

- A 东关村, bank NSH, bullet 12 months, 10,000.00 disbursed 2025-03-10, never paid: due 2026-03-10,
  112 days past due on 2026-06-30 → 次级 (overdue and NPL), balance 10,000.00.
- B 东关村, bank NSH, interest_monthly 36 months, 50,000.00 disbursed 2026-05-01: interest due 2026-05-21
  (20 days: 50,000 × 4.35 % × 20 / 360 = 120.83) and 2026-06-21 (31 days: 187.29), both paid on their
  due dates.
- C 西关村, bank NSH, interest_monthly 36 months, 30,000.00 disbursed 2026-05-01: 2026-05-21 interest
  72.50 paid on time; 2026-06-21 interest (30,000 × 4.35 % × 31 / 360 = 112.375 → 112.38) paid late,
  on 2026-06-25 (120.00, penalty first).
- D 东明村, bank XYS, bullet 12 months, 20,000.00 disbursed 2026-01-15: nothing due yet.

Registered households: 东关村 A, B, one more 贫困户 without a loan and one 五保户 (not eligible) → 3
eligible; 西关村 C → 1; 东明村 D → 1; 南沟村 none.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.loans.servicing import repayment_post
from microcredit.apps.monitoring import selectors
from microcredit.apps.monitoring.close import run_close
from microcredit.apps.monitoring.models import IndicatorFigure
from microcredit.apps.regions.models import Region
from tests.batch.portfolio import County
from tests.factories import make_bank, make_household, make_user

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def county():
    with pinned_business_date(AS_OF):
        c = County()
        v = c.tree.villages
        c.a = c.loan(village=0, method="bullet", months=12, disbursed=dt.date(2025, 3, 10), principal=1_000_000)
        c.b = c.loan(village=0, method="interest_monthly", disbursed=dt.date(2026, 5, 1), principal=5_000_000)
        c.c = c.loan(village=1, method="interest_monthly", disbursed=dt.date(2026, 5, 1), principal=3_000_000)
        c.bank2 = make_bank("XYS", "卢氏信用社")
        orig, c.bank = c.bank, c.bank2
        c.d = c.loan(village=2, method="bullet", months=12, disbursed=dt.date(2026, 1, 15), principal=2_000_000)
        c.bank = orig
        make_household(v[0])
        make_household(v[0], is_wubao=True)
        repayment_post(loan=c.b, amount=12_083, on=dt.date(2026, 5, 21), actor=c.officer)
        repayment_post(loan=c.b, amount=18_729, on=dt.date(2026, 6, 21), actor=c.officer)
        repayment_post(loan=c.c, amount=7_250, on=dt.date(2026, 5, 21), actor=c.officer)
        repayment_post(loan=c.c, amount=12_000, on=dt.date(2026, 6, 25), actor=c.officer)
        run_close(AS_OF)
        yield c


def by_code(ind):
    return {c.region: c for c in ind.children}


def test_county_figures_by_hand(county):
    ind = selectors.indicators(user=county.county_user, region_code="411224000000", as_of=AS_OF)
    assert (ind.region, ind.level, ind.as_of, ind.region_name) == ("411224000000", "county", AS_OF, "卢氏县")
    assert ind.households_eligible == 5 and ind.households_borrowed_ever == 4
    assert ind.access_rate == Decimal("0.8000")
    assert (ind.loans_outstanding, ind.households_outstanding) == (4, 4)
    assert ind.balance == 11_000_000 and ind.overdue_balance == 1_000_000 and ind.npl_balance == 1_000_000
    assert ind.overdue_ratio == Decimal("0.0909") and ind.npl_ratio == Decimal("0.0909")  # 1/11 = 0.090909…
    assert ind.period == (dt.date(2026, 6, 1), AS_OF)
    assert ind.due_in_period == 18_729 + 11_238 and ind.repaid_on_time_in_period == 18_729
    assert ind.on_time_rate == Decimal("0.6250")  # 18729 / 29967 = 0.624987…
    assert ind.cumulative_amount == 11_000_000 and ind.cumulative_loans == 4
    assert ind.average_loan == 2_750_000
    kids = by_code(ind)
    assert list(kids) == ["411224100000", "411224101000"]
    t1, t2 = kids["411224100000"], kids["411224101000"]
    assert (t1.households_eligible, t1.households_borrowed_ever, t1.access_rate) == (4, 3, Decimal("0.7500"))
    assert (t1.balance, t1.npl_balance, t1.npl_ratio) == (9_000_000, 1_000_000, Decimal("0.1111"))
    assert (t1.due_in_period, t1.repaid_on_time_in_period) == (29_967, 18_729)
    assert (t2.balance, t2.overdue_ratio, t2.due_in_period, t2.on_time_rate) == (2_000_000, Decimal("0.0000"), 0, None)
    assert (t2.households_eligible, t2.access_rate, t2.cumulative_amount) == (1, Decimal("1.0000"), 2_000_000)


def test_township_children_are_villages_with_empty_ones(county):
    ind = selectors.indicators(user=county.county_user, region_code="411224100000", as_of=AS_OF)
    kids = by_code(ind)
    v1, v2 = kids["411224100001"], kids["411224100002"]
    assert (v1.households_eligible, v1.households_borrowed_ever, v1.access_rate) == (3, 2, Decimal("0.6667"))
    assert (v1.balance, v1.overdue_balance, v1.due_in_period, v1.repaid_on_time_in_period) == \
        (6_000_000, 1_000_000, 18_729, 18_729)
    assert v1.on_time_rate == Decimal("1.0000") and v1.npl_ratio == Decimal("0.1667")
    assert (v2.balance, v2.due_in_period, v2.repaid_on_time_in_period, v2.on_time_rate) == \
        (3_000_000, 11_238, 0, Decimal("0.0000"))
    village = selectors.indicators(user=county.county_user, region_code="411224101002", as_of=AS_OF)
    assert village.children == () and village.balance == 0 and village.access_rate is None


def test_bank_filter_and_breakdowns(county):
    ind = selectors.indicators(user=county.county_user, region_code="411224000000", as_of=AS_OF, bank=county.bank2)
    assert (ind.balance, ind.loans_outstanding, ind.cumulative_loans, ind.households_borrowed_ever) == \
        (2_000_000, 1, 1, 1)
    by_bank = selectors.indicators(user=county.county_user, region_code="411224000000", as_of=AS_OF, by="bank")
    assert {(g.group, g.balance, g.due_in_period) for g in by_bank.breakdown} == \
        {("NSH", 9_000_000, 29_967), ("XYS", 2_000_000, 0)}
    by_mode = selectors.indicators(user=county.county_user, region_code="411224000000", as_of=AS_OF, by="usage_mode")
    assert [(g.group, g.group_label, g.balance, g.npl_balance) for g in by_mode.breakdown] == \
        [("self", "户贷户用·自我发展", 11_000_000, 1_000_000)]
    by_era = selectors.indicators(user=county.county_user, region_code="411224000000", as_of=AS_OF, by="policy_era")
    assert [(g.group, g.cumulative_loans) for g in by_era.breakdown] == [("2021", 4)]
    # the breakdowns sum to the region
    assert sum(g.balance for g in by_bank.breakdown) == by_bank.balance


def test_scope_and_dates(county):
    other = make_user("township_station", scope_regions=["411224101"])
    with pytest.raises(PermissionDenied):
        selectors.indicators(user=other, region_code="411224100000", as_of=AS_OF)
    with pytest.raises(PermissionDenied):
        selectors.indicators(user=other, region_code="411224000000", as_of=AS_OF)
    own = selectors.indicators(user=other, region_code="411224101000", as_of=AS_OF)
    assert own.balance == 2_000_000
    with pytest.raises(Region.DoesNotExist):
        selectors.indicators(user=county.county_user, region_code="411224199000", as_of=AS_OF)
    # a bank officer sees its own bank only
    mine = selectors.indicators(user=county.officer, region_code="411224000000", as_of=AS_OF)
    assert mine.bank_id == county.bank.pk and mine.balance == 9_000_000
    with pytest.raises(PermissionDenied):
        selectors.indicators(user=county.officer, region_code="411224000000", as_of=AS_OF, bank=county.bank2)
    with pytest.raises(selectors.IndicatorError, match="2026-06-30"):
        selectors.indicators(user=county.county_user, region_code="411224000000", as_of=dt.date(2026, 6, 15))


def test_maturity_ladder(county):
    rows = selectors.maturity_ladder(user=county.county_user, region_code="411224000000", as_of=AS_OF)
    assert len(rows) == 12 and rows[0].first == dt.date(2026, 7, 1) and rows[-1].last == dt.date(2027, 6, 30)
    assert {r.first: r.principal for r in rows if r.principal} == {dt.date(2027, 1, 1): 2_000_000}


def test_figures_kept_by_the_close_equal_the_live_queries(county):
    """The API reads the IndicatorFigure rows the close wrote; without them the same figures are queried
    from loans and instalments — both must agree for every region and bank."""
    assert IndicatorFigure.objects.filter(as_of=AS_OF).exists()
    codes = ["411224000000", "411224100000", "411224101000"] + [v.code for v in county.tree.villages]
    banks = (None, county.bank, county.bank2)

    def everything():
        return [selectors.indicators(user=county.county_user, region_code=c, as_of=AS_OF, bank=b)
                for c in codes for b in banks]

    kept = everything()
    IndicatorFigure.objects.all().delete()
    assert everything() == kept


def test_only_the_latest_close_and_month_ends_are_kept(county):
    with pinned_business_date(dt.date(2026, 7, 2)):
        run_close(dt.date(2026, 7, 1))
        run_close(dt.date(2026, 7, 2))
    days = set(IndicatorFigure.objects.values_list("as_of", flat=True))
    assert days == {AS_OF, dt.date(2026, 7, 2)}
    assert selectors.available_dates() == [dt.date(2026, 7, 2), AS_OF]
