"""All four breakers of DOMAIN §8 at, just below and just above their thresholds (the fourth: on-time
recovery of the loans due this year < 98 % at 3 consecutive month ends, [S2 道县])."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, strategies as st

from microcredit.domain.circuit_breakers import Exposure, Recovery, circuit_breakers, recovery_breakers, recovery_rate

T = "411224101"
ENDS = [dt.date(2026, 4, 30), dt.date(2026, 5, 31), dt.date(2026, 6, 30)]


def levels(breaches):
    return [(b.level, b.code, b.rule) for b in breaches]


def test_village_npl_at_below_above_five_percent():
    at, below, above = (Exposure(f"{T}00{k}", 100_000, npl) for k, npl in ((1, 5_000), (2, 4_999), (3, 5_001)))
    assert levels(circuit_breakers([at, below, above], villages_per_township={T: 100})) == \
        [("village", f"{T}003", "village_npl")]


def test_township_share_at_below_above_thirty_percent():
    def villages(stopped):
        return [Exposure(f"{T}{k:03d}", 1000, 100 if k <= stopped else 0) for k in range(1, 101)]
    assert ("township", T, "township_share") in levels(circuit_breakers(villages(30)))  # at: ≥ 30 % stops
    assert ("township", T, "township_share") in levels(circuit_breakers(villages(31)))  # above
    assert all(b.level == "village" for b in circuit_breakers(villages(29)))  # just below


def test_bank_npl_at_below_above_three_percent():
    banks = [Exposure("1", 10_000, 300), Exposure("2", 10_000, 299), Exposure("3", 10_000, 301)]
    assert levels(circuit_breakers([], banks)) == [("bank", "3", "bank_npl")]


def rows(code, *pairs):
    return [Recovery(code, end, due, on_time) for end, (due, on_time) in zip(ENDS, pairs)]


def test_recovery_at_below_above_ninety_eight_percent():
    at = rows(f"{T}001", (10_000, 9_800), (20_000, 19_600), (30_000, 29_400))
    below = rows(f"{T}002", (10_000, 9_799), (20_000, 19_599), (30_000, 29_399))
    above = rows(f"{T}003", (10_000, 9_801), (20_000, 19_601), (30_000, 29_401))
    got = recovery_breakers(at + below + above, ENDS)
    assert levels(got) == [("village", f"{T}002", "recovery")]
    assert got[0].reason == ("村年内到期贷款按期收回率连续3个月低于98.00%（2026-04-30 97.99%、2026-05-31 97.99%、"
                             "2026-06-30 97.99%），暂停新增贷款")


def test_recovery_needs_three_consecutive_months_below():
    two = rows(T, (100, 50), (100, 99), (100, 50))  # the middle month recovered
    nothing_due = rows(f"{T}001", (0, 0), (100, 50), (100, 50))
    assert recovery_breakers(two + nothing_due, ENDS) == []
    assert recovery_breakers(rows(T, (100, 50), (100, 50)), ENDS[:2]) == []  # fewer month ends than 3
    got = recovery_breakers(rows(T, (100, 50), (100, 50), (100, 50)), ENDS)
    assert levels(got) == [("township", T, "recovery")] and "乡镇年内到期贷款" in got[0].reason


def test_recovery_threshold_and_months_are_parameters():
    r = rows(T, (100, 97), (100, 97), (100, 97))
    assert recovery_breakers(r, ENDS, recovery_min=Decimal("0.97")) == []
    assert levels(recovery_breakers(r[1:], ENDS[1:], months=2)) == [("township", T, "recovery")]


@given(st.integers(1, 10**12), st.integers(0, 10**12))
def test_recovery_breaches_exactly_when_every_rate_is_below(due, on_time):
    on_time = min(on_time, due)
    got = recovery_breakers(rows(T, (due, on_time), (due, on_time), (due, on_time)), ENDS)
    assert bool(got) == (recovery_rate(due, on_time) < Decimal("0.98"))
