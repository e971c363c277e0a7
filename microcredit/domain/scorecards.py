"""Scorecards for rating and credit granting (评级授信), DOMAIN §3.

A scorecard is a list of weighted factors, each scored 0–100, plus grade thresholds with a
credit limit per grade and a validity period. The total is ``Σ weight·score / Σ weight``
(so the 马鞍山 card's equal weights need not sum to 100), kept to one decimal, half-up.

Factor kinds and their default scoring (counties edit the bands, DOMAIN §3):

* ``integrity`` 诚信度 — the evaluation committee's average vote, minus 20 per overdue episode
  in the last 3 years, 0 with a malicious default;
* ``income`` 人均纯收入 — bands on income per head in yuan/year (≥10,000 → 100 …);
* ``labour`` 家庭劳动力 — bands on able-bodied members aged 16–65 (≥3 → 100 …);
* ``skills`` 劳动技能 — certified/3+ years → 100, some experience → 60, none → 30;
* ``basic`` 基本情况 — 100 minus deductions for the head's age, health and dependants;
* ``civility`` 精神文明 — 标兵户 100, 文明户 90, 诚信户 80, none 60, public-order record 0.

A card is stored as plain data (``scorecard_to_dict`` / ``scorecard_from_dict``) so versions
can be kept as JSON rows; ratings keep the version they used.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Mapping, NamedTuple, Sequence

from microcredit.domain.errors import FieldError

__all__ = [
    "FACTOR_KINDS", "FACTOR_LABELS", "HONOURS", "HONOUR_LABELS", "HONOUR_BONUS", "Band", "Factor",
    "GradeRule", "Scorecard", "HouseholdFacts", "FactorScore", "RatingResult", "DEFAULT_GRADES",
    "PRESETS", "score_factor", "score_household", "grade_for", "scorecard_errors",
    "scorecard_to_dict", "scorecard_from_dict", "honour_bonus",
]

FACTOR_KINDS = ("integrity", "income", "labour", "skills", "basic", "civility")
FACTOR_LABELS = {
    "integrity": "诚信度", "income": "家庭收入", "labour": "家庭劳动力", "skills": "劳动技能",
    "basic": "基本情况", "civility": "精神文明",
}
HONOURS = ("integrity", "civilized", "model")
HONOUR_LABELS = {"integrity": "诚信户", "civilized": "文明户", "model": "标兵户"}
HONOUR_BONUS = {"integrity": 3_000_000, "civilized": 5_000_000, "model": 10_000_000}
"""Honours raise the general-credit limit (fen): +3万/+5万/+10万 (DOMAIN §3, S0 卢氏)."""

_WAN = 1_000_000  # 1万元 in fen


class Band(NamedTuple):
    """A value at or above ``minimum`` scores ``score`` (bands are tried highest first)."""

    minimum: int
    score: int


class Factor(NamedTuple):
    """One weighted factor. ``bands`` apply to numeric kinds (income in yuan, labour count)."""

    kind: str
    weight: int
    bands: tuple[Band, ...] = ()
    label: str = ""

    @property
    def title(self) -> str:
        """The Chinese label (own label, else the kind's)."""
        return self.label or FACTOR_LABELS.get(self.kind, self.kind)


class GradeRule(NamedTuple):
    """A grade from ``min_score`` up, with its credit limit in fen (DOMAIN §3)."""

    grade: str
    min_score: int
    credit_limit: int


class Scorecard(NamedTuple):
    """A configurable scorecard (DOMAIN §3)."""

    code: str
    name: str
    factors: tuple[Factor, ...]
    grades: tuple[GradeRule, ...]
    validity_months: int = 36


class HouseholdFacts(NamedTuple):
    """What a scorecard reads about a household (registry attributes + committee votes)."""

    income_per_head: int = 0  # fen per year
    able_labourers: int = 0
    skill: str = "none"  # certified / some / none (best member)
    head_age: int = 40
    head_health: str = "healthy"  # healthy / chronic / serious / disabled
    dependants: int = 0  # members not able to work
    votes: tuple[int, ...] = ()
    overdue_episodes_3y: int = 0
    malicious_default: bool = False
    honour: str = ""  # "", integrity, civilized, model
    public_order_record: bool = False


class FactorScore(NamedTuple):
    kind: str
    label: str
    weight: int
    score: int


class RatingResult(NamedTuple):
    """Outcome of scoring: factor scores, total (one decimal), grade ("" = not granted)."""

    factors: tuple[FactorScore, ...]
    total: Decimal
    grade: str
    credit_limit: int


DEFAULT_GRADES = (
    GradeRule("AAAA", 90, 5 * _WAN), GradeRule("AAA", 80, 4 * _WAN),
    GradeRule("AA", 70, 3 * _WAN), GradeRule("A", 60, 2 * _WAN),
)
INCOME_BANDS = (Band(10_000, 100), Band(6_000, 80), Band(4_000, 60), Band(2_500, 40), Band(0, 20))
LABOUR_BANDS = (Band(3, 100), Band(2, 80), Band(1, 60), Band(0, 0))


def _card(code: str, name: str, weights: Sequence[tuple[str, int]]) -> Scorecard:
    factors = []
    for kind, weight in weights:
        bands = INCOME_BANDS if kind == "income" else LABOUR_BANDS if kind == "labour" else ()
        factors.append(Factor(kind, weight, bands))
    return Scorecard(code, name, tuple(factors), DEFAULT_GRADES, 36)


PRESETS: dict[str, Scorecard] = {
    "631_yanchi": _card("631_yanchi", "631（盐池）", [("integrity", 60), ("income", 30), ("basic", 10)]),
    "631_lingbi": _card("631_lingbi", "631（灵璧）", [("integrity", 60), ("labour", 30), ("income", 10)]),
    "5221_sichuan": _card("5221_sichuan", "5221（四川）",
                          [("integrity", 50), ("labour", 20), ("skills", 20), ("income", 10)]),
    "1531_yanchi": _card("1531_yanchi", "1531（盐池，全体农户）",
                         [("civility", 10), ("integrity", 50), ("income", 30), ("basic", 10)]),
    "maanshan": _card("maanshan", "马鞍山（等权）", [("integrity", 1), ("income", 1), ("labour", 1)]),
}
"""The five presets of DOMAIN §3."""


def _band_score(bands: Sequence[Band], value: int) -> int:
    for band in sorted(bands, key=lambda b: -b.minimum):
        if value >= band.minimum:
            return band.score
    return 0


def _clamp(x: int) -> int:
    return max(0, min(100, x))


def _integrity(facts: HouseholdFacts) -> int:
    if facts.malicious_default:
        return 0
    if not facts.votes:
        return 0
    avg = Decimal(sum(facts.votes)) / len(facts.votes)
    base = int(avg.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return _clamp(base - 20 * facts.overdue_episodes_3y)


def _basic(facts: HouseholdFacts) -> int:
    score = 100
    if facts.head_age > 60:
        score -= 20
    elif facts.head_age > 55:
        score -= 10
    score -= {"healthy": 0, "chronic": 15, "disabled": 25, "serious": 30}.get(facts.head_health, 0)
    score -= 10 * max(0, facts.dependants - 1)
    return _clamp(score)


def score_factor(factor: Factor, facts: HouseholdFacts) -> int:
    """The 0–100 score of one factor for a household (DOMAIN §3 default scoring)."""
    kind = factor.kind
    if kind == "integrity":
        return _integrity(facts)
    if kind == "income":
        return _band_score(factor.bands or INCOME_BANDS, facts.income_per_head // 100)
    if kind == "labour":
        return _band_score(factor.bands or LABOUR_BANDS, facts.able_labourers)
    if kind == "skills":
        return {"certified": 100, "some": 60}.get(facts.skill, 30)
    if kind == "basic":
        return _basic(facts)
    if kind == "civility":
        if facts.public_order_record:
            return 0
        return {"model": 100, "civilized": 90, "integrity": 80}.get(facts.honour, 60)
    raise ValueError(f"未知的评分因素：{kind}")


def grade_for(total: Decimal, grades: Sequence[GradeRule]) -> GradeRule | None:
    """The highest grade whose threshold ``total`` reaches; None below the lowest (未授信)."""
    for rule in sorted(grades, key=lambda g: -g.min_score):
        if total >= rule.min_score:
            return rule
    return None


def score_household(card: Scorecard, facts: HouseholdFacts) -> RatingResult:
    """Score a household with a scorecard: factor scores, weighted total, grade and limit.

    Args:
        card: the scorecard version in force.
        facts: registry attributes and committee votes.

    Returns:
        A :class:`RatingResult`; ``grade == ""`` and ``credit_limit == 0`` below the lowest grade.
    """
    scores = tuple(FactorScore(f.kind, f.title, f.weight, score_factor(f, facts)) for f in card.factors)
    weight_sum = sum(f.weight for f in card.factors) or 1
    total = (Decimal(sum(s.weight * s.score for s in scores)) / weight_sum).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    rule = grade_for(total, card.grades)
    return RatingResult(scores, total, rule.grade if rule else "", rule.credit_limit if rule else 0)


def honour_bonus(honour: str) -> int:
    """Extra general-credit limit (fen) of an honour; 0 for none (DOMAIN §3)."""
    return HONOUR_BONUS.get(honour, 0)


def scorecard_errors(card: Scorecard) -> list[FieldError]:
    """Every problem of a scorecard definition (empty when valid)."""
    errors: list[FieldError] = []
    if not card.factors:
        errors.append(FieldError("factors", "评分卡至少要有一个评分因素"))
    for i, f in enumerate(card.factors):
        if f.kind not in FACTOR_KINDS:
            errors.append(FieldError(f"factors[{i}].kind", f"未知的评分因素：{f.kind}"))
        if f.weight <= 0:
            errors.append(FieldError(f"factors[{i}].weight", "权重必须大于 0"))
        for b in f.bands:
            if not 0 <= b.score <= 100:
                errors.append(FieldError(f"factors[{i}].bands", "分档得分必须在 0–100 之间"))
    kinds = [f.kind for f in card.factors]
    if len(set(kinds)) != len(kinds):
        errors.append(FieldError("factors", "评分因素不能重复"))
    if not card.grades:
        errors.append(FieldError("grades", "至少要有一个信用等级"))
    for g in card.grades:
        if not 0 <= g.min_score <= 100:
            errors.append(FieldError("grades", f"等级 {g.grade} 的分数线必须在 0–100 之间"))
        if g.credit_limit <= 0:
            errors.append(FieldError("grades", f"等级 {g.grade} 的授信额度必须大于 0"))
    if len({g.grade for g in card.grades}) != len(card.grades):
        errors.append(FieldError("grades", "信用等级不能重复"))
    if card.validity_months < 1:
        errors.append(FieldError("validity_months", "有效期至少 1 个月"))
    return errors


def scorecard_to_dict(card: Scorecard) -> dict:
    """Plain JSON-safe data for a scorecard (stored in a version row)."""
    return {
        "code": card.code, "name": card.name, "validity_months": card.validity_months,
        "factors": [{"kind": f.kind, "weight": f.weight, "label": f.label,
                     "bands": [[b.minimum, b.score] for b in f.bands]} for f in card.factors],
        "grades": [[g.grade, g.min_score, g.credit_limit] for g in card.grades],
    }


def scorecard_from_dict(data: Mapping) -> Scorecard:
    """The inverse of :func:`scorecard_to_dict`."""
    return Scorecard(
        code=data["code"], name=data["name"], validity_months=int(data.get("validity_months", 36)),
        factors=tuple(Factor(f["kind"], int(f["weight"]), tuple(Band(int(a), int(b)) for a, b in f.get("bands", [])),
                             f.get("label", "")) for f in data["factors"]),
        grades=tuple(GradeRule(g, int(m), int(c)) for g, m, c in data["grades"]),
    )
