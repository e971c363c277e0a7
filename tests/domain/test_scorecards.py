"""Scorecards (DOMAIN §3): presets score known households to known grades."""

from decimal import Decimal

import pytest

from microcredit.domain.scorecards import (
    PRESETS, Factor, HouseholdFacts, Scorecard, GradeRule, grade_for, honour_bonus, score_factor,
    score_household, scorecard_errors, scorecard_from_dict, scorecard_to_dict,
)

STRONG = HouseholdFacts(income_per_head=1_200_000, able_labourers=3, skill="certified", head_age=42,
                        votes=(95, 90, 100), honour="model")
MIDDLE = HouseholdFacts(income_per_head=700_000, able_labourers=2, skill="some", head_age=50,
                        votes=(80, 80, 80))
WEAK = HouseholdFacts(income_per_head=300_000, able_labourers=1, skill="none", head_age=62,
                      head_health="chronic", dependants=3, votes=(60, 70), overdue_episodes_3y=1)


@pytest.mark.parametrize("preset, facts, total, grade, limit", [
    # integrity 95*.6 + income 100*.3 + basic 100*.1 = 97
    ("631_yanchi", STRONG, "97.0", "AAAA", 5_000_000),
    # 80*.6 + 80*.3 + 100*.1 = 82
    ("631_yanchi", MIDDLE, "82.0", "AAA", 4_000_000),
    # integrity 65-20=45 → 27; income 40 → 12; basic 100-20-15-20=45 → 4.5 ⇒ 43.5
    ("631_yanchi", WEAK, "43.5", "", 0),
    # 80*.6 + labour 80*.3 + income 80*.1 = 80
    ("631_lingbi", MIDDLE, "80.0", "AAA", 4_000_000),
    # 80*.5 + 80*.2 + 60*.2 + 80*.1 = 76
    ("5221_sichuan", MIDDLE, "76.0", "AA", 3_000_000),
    # civility 100*.1 + 95*.5 + 100*.3 + 100*.1 = 97.5
    ("1531_yanchi", STRONG, "97.5", "AAAA", 5_000_000),
    # (80+80+80)/3 = 80
    ("maanshan", MIDDLE, "80.0", "AAA", 4_000_000),
    # (45+40+60)/3 = 48.3
    ("maanshan", WEAK, "48.3", "", 0),
])
def test_presets_score_known_households(preset, facts, total, grade, limit):
    result = score_household(PRESETS[preset], facts)
    assert result.total == Decimal(total)
    assert result.grade == grade
    assert result.credit_limit == limit


def test_all_five_presets_are_valid():
    assert set(PRESETS) == {"631_yanchi", "631_lingbi", "5221_sichuan", "1531_yanchi", "maanshan"}
    for card in PRESETS.values():
        assert scorecard_errors(card) == []


@pytest.mark.parametrize("income_yuan, score", [(10_000, 100), (9_999, 80), (6_000, 80), (4_000, 60),
                                                (2_500, 40), (2_499, 20), (0, 20)])
def test_income_bands(income_yuan, score):
    factor = PRESETS["631_yanchi"].factors[1]
    assert score_factor(factor, HouseholdFacts(income_per_head=income_yuan * 100)) == score


def test_integrity_is_zero_with_malicious_default():
    f = Factor("integrity", 60)
    assert score_factor(f, HouseholdFacts(votes=(100,), malicious_default=True)) == 0
    assert score_factor(f, HouseholdFacts(votes=(100, 90), overdue_episodes_3y=2)) == 55


def test_grade_thresholds_inclusive():
    grades = PRESETS["631_yanchi"].grades
    assert grade_for(Decimal("90"), grades).grade == "AAAA"
    assert grade_for(Decimal("89.9"), grades).grade == "AAA"
    assert grade_for(Decimal("60"), grades).grade == "A"
    assert grade_for(Decimal("59.9"), grades) is None


def test_round_trip_through_dict():
    card = PRESETS["5221_sichuan"]
    assert scorecard_from_dict(scorecard_to_dict(card)) == card


def test_invalid_card_reports_every_problem():
    card = Scorecard("x", "x", (Factor("luck", 0),), (GradeRule("A", 120, 0),), 0)
    fields = [e.field for e in scorecard_errors(card)]
    assert "factors[0].kind" in fields and "factors[0].weight" in fields
    assert "validity_months" in fields and fields.count("grades") == 2


def test_honour_bonus():
    assert honour_bonus("integrity") == 3_000_000
    assert honour_bonus("civilized") == 5_000_000
    assert honour_bonus("model") == 10_000_000
    assert honour_bonus("") == 0
