"""The reward fund (DOMAIN §8, 道县): 2 % of the year's loans when recovery ≥ 98 %, split 3 : 2 : 4 : 1."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from microcredit.domain.errors import DomainError
from microcredit.domain.rewards import PARTIES, reward, split_reward


def test_split_by_hand():
    assert split_reward(100_000) == (("township", 30_000), ("village", 20_000), ("bank", 40_000),
                                     ("leading_group", 10_000))
    # 7 fen: 2.1 → 2, 1.4 → 1, 2.8 → 3, the leading group takes the rest (1)
    assert split_reward(7) == (("township", 2), ("village", 1), ("bank", 3), ("leading_group", 1))
    # 5 fen: 1.5 → 2, 1.0 → 1, 2.0 → 2, rest 0
    assert split_reward(5) == (("township", 2), ("village", 1), ("bank", 2), ("leading_group", 0))
    assert split_reward(0) == tuple((p, 0) for p in PARTIES)
    with pytest.raises(DomainError):
        split_reward(-1)


@given(st.integers(0, 10**15))
def test_split_sums_exactly_and_follows_the_weights(amount):
    shares = dict(split_reward(amount))
    assert sum(shares.values()) == amount
    for party, w in (("township", 3), ("village", 2), ("bank", 4)):
        assert abs(shares[party] * 10 - amount * w) <= 5  # within half a fen of the exact share
    assert shares["leading_group"] >= -1


def test_reward_at_below_above_ninety_eight_percent():
    at = reward(10_000_000, 100_000, 98_000)
    assert at.eligible and at.amount == 200_000 and (at.township, at.village, at.bank, at.leading_group) == \
        (60_000, 40_000, 80_000, 20_000)
    assert "98.00%" in at.reason
    below = reward(10_000_000, 100_000, 97_999)
    assert not below.eligible and below.amount == 0 and "97.99% 低于 98.00%" in below.reason
    assert reward(10_000_000, 100_000, 98_001).amount == 200_000
    assert reward(12_345, 100, 100).amount == 247  # 246.9 → 247
    none_due = reward(10_000_000, 0, 0)
    assert not none_due.eligible and "无到期" in none_due.reason
    assert reward(10_000_000, 100, 97, recovery_min=Decimal("0.97")).eligible


@given(st.integers(0, 10**13), st.integers(1, 10**12), st.integers(0, 10**12))
def test_reward_shares_sum(disbursed, due, on_time):
    r = reward(disbursed, due, min(on_time, due))
    assert r.township + r.village + r.bank + r.leading_group == r.amount
    assert r.amount in (0, (disbursed * 2 + 50) // 100)
