"""Circuit breakers (DOMAIN §8): village NPL > 5 %, township ≥ 30 % villages stopped, bank NPL > 3 %."""

from decimal import Decimal

from microcredit.domain.circuit_breakers import Exposure, circuit_breakers, npl_ratio

V = "411224101"  # a township


def village(n: int, balance: int, npl: int) -> Exposure:
    return Exposure(f"{V}{n:03d}", balance, npl)


def test_village_over_five_percent_stops_exactly_five_does_not():
    got = circuit_breakers([village(1, 1000, 51), village(2, 1000, 50), village(3, 0, 0)],
                           villages_per_township={V: 10})
    assert [(b.level, b.code) for b in got] == [("village", f"{V}001")]
    assert "不良率 5.10% 超过 5.00%" in got[0].reason and "暂停新增贷款" in got[0].reason


def test_township_with_thirty_percent_villages_stopped_stops():
    villages = [village(k, 1000, 60 if k <= 3 else 0) for k in range(1, 11)]
    got = circuit_breakers(villages)
    assert [(b.level, b.code) for b in got][-1] == ("township", V)
    assert "3/10 个村已熔断" in got[-1].reason
    two = [village(k, 1000, 60 if k <= 2 else 0) for k in range(1, 11)]
    assert [b.level for b in circuit_breakers(two)] == ["village", "village"]
    # villages already stopped count for the township
    assert [b.level for b in circuit_breakers(two, stopped_villages=[f"{V}010"])][-1] == "township"


def test_township_share_uses_all_its_villages_when_given():
    villages = [village(k, 1000, 60 if k <= 3 else 0) for k in range(1, 11)]
    assert [b.level for b in circuit_breakers(villages, villages_per_township={V: 11})] == ["village"] * 3


def test_bank_over_three_percent_is_suspended_and_thresholds_are_parameters():
    banks = [Exposure("7", 10000, 301), Exposure("8", 10000, 300)]
    got = circuit_breakers([], banks)
    assert [(b.level, b.code) for b in got] == [("bank", "7")]
    assert "银行不良率 3.01% 超过 3.00%" in got[0].reason
    assert [b.code for b in circuit_breakers([], banks, bank_npl_max=Decimal("0.02"))] == ["7", "8"]
    assert circuit_breakers([village(1, 1000, 51)], village_npl_max=Decimal("0.06")) == []


def test_npl_ratio_of_an_empty_portfolio_is_zero():
    assert npl_ratio(0, 0) == 0
