"""The maturity ladder (到期分布, DOMAIN §9) kept by the close (issue #12 item 12): the LadderFigure rows
``indicators.record_ladder`` writes at each close equal the ladder grouped live from the instalments, for
every region level and bank, after a close and after a repayment and a re-close; only the latest close and
the month ends are kept."""

from __future__ import annotations

import datetime as dt

import pytest

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.loans.servicing import repayment_post
from microcredit.apps.monitoring import selectors
from microcredit.apps.monitoring.close import run_close
from microcredit.apps.monitoring.models import LadderFigure
from tests.batch.portfolio import County
from tests.factories import make_bank, make_user

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)


@pytest.fixture
def county():
    with pinned_business_date(AS_OF):
        c = County()
        c.a = c.loan(village=0, method="equal_installment", months=12, disbursed=dt.date(2026, 1, 10),
                     principal=1_200_000)
        c.b = c.loan(village=0, method="bullet", months=12, disbursed=dt.date(2026, 2, 1), principal=5_000_000)
        c.c = c.loan(village=1, method="interest_quarterly", months=12, disbursed=dt.date(2025, 9, 1),
                     principal=3_000_000)
        c.bank2 = make_bank("XYS", "卢氏信用社")
        orig, c.bank = c.bank, c.bank2
        c.d = c.loan(village=2, method="equal_installment", months=24, disbursed=dt.date(2026, 3, 15),
                     principal=2_400_000)
        c.e = c.loan(village=1, method="bullet", months=6, disbursed=dt.date(2026, 4, 1), principal=800_000)
        c.bank = orig
        run_close(AS_OF)
        yield c


def ladders(county, day):
    codes = ["411224000000", "411224100000", "411224101000"] + [v.code for v in county.tree.villages]
    return [selectors.maturity_ladder(user=county.county_user, region_code=code, as_of=day, bank=bank)
            for code in codes for bank in (None, county.bank, county.bank2)]


def live(county, day):
    kept = list(LadderFigure.objects.filter(as_of=day).values_list(
        "as_of", "level", "code", "bank_id", "month", "principal", "loans"))
    LadderFigure.objects.filter(as_of=day).delete()
    try:
        return ladders(county, day)
    finally:
        LadderFigure.objects.bulk_create([LadderFigure(as_of=a, level=lv, code=c, bank_id=b, month=m, principal=p,
                                                       loans=n) for a, lv, c, b, m, p, n in kept])


def test_kept_ladder_equals_the_live_one(county):
    assert LadderFigure.objects.filter(as_of=AS_OF).exists()
    kept = ladders(county, AS_OF)
    assert kept == live(county, AS_OF)
    county_row = kept[0]
    assert sum(r.principal for r in county_row) > 0 and any(r.loans > 1 for r in county_row)


def test_kept_ladder_follows_a_repayment_and_a_reclose(county):
    before = ladders(county, AS_OF)
    day = dt.date(2026, 7, 20)
    with pinned_business_date(day):
        repayment_post(loan=county.a, amount=400_000, on=day, actor=county.officer)
        run_close(day)
    after = ladders(county, day)
    assert after == live(county, day)
    assert after != before
    assert set(LadderFigure.objects.values_list("as_of", flat=True)) == {AS_OF, day}


def test_only_the_latest_close_and_month_ends_are_kept(county):
    with pinned_business_date(dt.date(2026, 7, 2)):
        run_close(dt.date(2026, 7, 1))
        run_close(dt.date(2026, 7, 2))
    assert set(LadderFigure.objects.values_list("as_of", flat=True)) == {AS_OF, dt.date(2026, 7, 2)}


def test_bank_user_reads_its_bank_rows(county):
    user = make_user("bank_officer", [county.tree.county.prefix], bank=county.bank2)
    rows = selectors.maturity_ladder(user=user, region_code="411224000000", as_of=AS_OF)
    county_bank2 = selectors.maturity_ladder(user=county.county_user, region_code="411224000000", as_of=AS_OF,
                                             bank=county.bank2)
    assert rows == county_bank2
