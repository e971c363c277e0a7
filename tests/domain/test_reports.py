"""Report definitions as data (issue #12 §9): validation names every failure's field; layout sums
subtotals and totals exactly; 万元 is exact Decimal division."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from microcredit.domain.reports import (
    DatasetShape,
    fen_to_wan,
    layout,
    month_bounds,
    quarter_bounds,
    ratio,
    validate_spec,
)

SHAPES = {"loans": DatasetShape("贷款", {"township": "text", "principal": "money", "balance": "money", "n": "int",
                                         "on": "date", "r": "ratio"}, ("region",))}


def spec(**extra):
    base = {"title": "测试表", "dataset": "loans", "params": ["region"], "unit": "元",
            "columns": [{"field": "township", "header": "乡镇"}, {"field": "principal", "header": "金额", "format": "money"}]}
    return base | extra


def test_a_valid_definition_has_no_errors():
    assert validate_spec(spec(), SHAPES) == []


def test_every_failure_at_once_naming_its_field():
    bad = spec(dataset="nope", unit="千元", params=["region", "colour"], extra=1,
               columns=[{"field": "ghost", "header": ""}, {"field": "principal", "header": "x", "format": "ratio"}, "x"])
    fields = {e.field for e in validate_spec(bad, SHAPES)}
    assert {"dataset", "unit", "params", "extra", "columns[1].header", "columns[3]"} <= fields
    errors = validate_spec(spec(columns=[{"field": "ghost", "header": "鬼"},
                                         {"field": "principal", "header": "x", "format": "ratio"}]), SHAPES)
    assert [(e.field, e.message) for e in errors] == [
        ("columns[1].field", "第 1 列：数据集中没有字段“ghost”"),
        ("columns[2].format", "第 2 列：字段“principal”不能用“比率”格式")]
    assert any("未知的数据集" in e.message for e in validate_spec(spec(dataset="x"), SHAPES))
    assert validate_spec("[]", SHAPES)[0].field == "spec"
    assert any(e.field == "params" for e in validate_spec(spec(params=[]), SHAPES))  # the dataset needs region
    assert any(e.field == "columns[1].ratio_of" for e in validate_spec(
        spec(columns=[{"field": "r", "header": "率", "format": "ratio", "ratio_of": ["township", "balance"]}]), SHAPES))
    assert any(e.field == "group_by" for e in validate_spec(spec(group_by="principal"), SHAPES))
    assert any(e.field == "title" for e in validate_spec(spec(title="长" * 101), SHAPES))
    assert any(e.field == "columns" for e in validate_spec(spec(columns=[{"field": "n", "header": "n"}] * 61), SHAPES))


def test_layout_groups_subtotals_and_totals():
    s = spec(group_by="township", totals=True, columns=[
        {"field": "township", "header": "乡镇"}, {"field": "principal", "header": "金额", "format": "money"},
        {"field": "r", "header": "率", "format": "ratio", "ratio_of": ["balance", "principal"]}])
    rows = [{"township": "甲", "principal": 100, "balance": 50}, {"township": "乙", "principal": 300, "balance": 0},
            {"township": "甲", "principal": 100, "balance": 25}]
    out = layout(s, SHAPES["loans"].columns, rows)
    assert [r.kind for r in out] == ["data", "data", "subtotal", "data", "subtotal", "total"]
    assert out[2].cells == ("甲小计", 200, Decimal("0.3750"))
    assert out[-1].cells == ("合计", 500, Decimal("0.1500"))
    given_total = layout(s, SHAPES["loans"].columns, rows, total={"principal": 999, "r": Decimal("0.5")})
    assert given_total[-1].cells == ("合计", 999, Decimal("0.5"))


def test_periods_and_units():
    assert month_bounds("2026-02") == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert month_bounds("2026-13") is None and month_bounds("1999-01") is None and month_bounds("x" * 500) is None
    assert quarter_bounds("2026-Q4")[1].isoformat() == "2026-12-31" and quarter_bounds("2026Q5") is None
    assert fen_to_wan(123456789) == Decimal("123.46") and fen_to_wan(-5000) == Decimal("-0.01")
    assert ratio(1, 3) == Decimal("0.3333") and ratio(1, 0) is None


@given(st.lists(st.integers(min_value=0, max_value=10**12), max_size=30))
def test_total_is_the_exact_sum(amounts):
    rows = [{"township": str(i % 3), "principal": a} for i, a in enumerate(amounts)]
    out = layout(spec(group_by="township"), SHAPES["loans"].columns, rows)
    assert out[-1].cells[1] == sum(amounts)
    assert sum(r.cells[1] for r in out if r.kind == "subtotal") == sum(amounts)
