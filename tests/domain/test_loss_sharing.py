"""DOMAIN §7: loss sharing presets, half-up shares, the last party absorbs rounding."""

from decimal import Decimal

import pytest

from microcredit.domain.errors import DomainError
from microcredit.domain.loss_sharing import SHARING_PRESETS, share_loss


@pytest.mark.parametrize("preset, ratios", [
    ("fund_bank_70_30", ["0.7", "0.3"]),
    ("fund_bank_80_20", ["0.8", "0.2"]),
    ("zheng_yin_bao", ["0.2", "0.3", "0.5"]),
    ("siwei_yiti_household", ["0.2", "0.1", "0.5", "0.2"]),
    ("siwei_yiti_enterprise", ["0.2", "0.2", "0.4", "0.2"]),
])
def test_presets_of_section_7(preset, ratios):
    assert [r for _, r in SHARING_PRESETS[preset]] == [Decimal(x) for x in ratios]
    assert SHARING_PRESETS[preset][0][0] == "fund"


@pytest.mark.parametrize("preset, loss, shares", [
    ("fund_bank_70_30", 1000000, [700000, 300000]),
    ("fund_bank_70_30", 1000001, [700001, 300000]),        # 700000.7 → 700001
    ("fund_bank_80_20", 5, [4, 1]),
    ("zheng_yin_bao", 100001, [20000, 30000, 50001]),
    ("siwei_yiti_household", 333, [67, 33, 167, 66]),      # 66.6, 33.3, 166.5 → last 66
    ("siwei_yiti_enterprise", 1, [0, 0, 0, 1]),
    ("fund_bank_70_30", 0, [0, 0]),
])
def test_shares_round_half_up_and_sum_to_the_loss(preset, loss, shares):
    result = share_loss(loss, SHARING_PRESETS[preset])
    assert [a for _, a in result] == shares
    assert sum(shares) == loss
    assert [n for n, _ in result] == [n for n, _ in SHARING_PRESETS[preset]]


@pytest.mark.parametrize("parties, field", [
    ([("fund", Decimal("0.7")), ("bank", Decimal("0.2"))], "parties"),
    ([("fund", Decimal("1.2")), ("bank", Decimal("-0.2"))], "parties[1].ratio"),
    ([], "parties"),
    ([("", Decimal("1"))], "parties[0].name"),
])
def test_bad_schemes_are_value_errors_in_chinese(parties, field):
    with pytest.raises(ValueError) as info:
        share_loss(1000, parties)
    assert isinstance(info.value, DomainError) and info.value.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in info.value.message)
