"""Properties of the shared cell parsers (microcredit.domain.cells): what real bank files contain
parses back exactly; everything else is refused with a CellError, never another exception."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given, settings, strategies as st

from microcredit.domain.cells import (
    BIGINT_MAX, EXCEL_EPOCH, CellError, cell_text, parse_amount, parse_date, parse_id_number, parse_text,
)
from microcredit.domain.identity import make_id_number
from microcredit.domain.money import fen_to_yuan

FAST = settings(max_examples=300, deadline=None)
FULL_WIDTH = str.maketrans("0123456789.,-Xx", "０１２３４５６７８９．，－Ｘｘ")
fens = st.integers(min_value=0, max_value=BIGINT_MAX)
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))
any_cell = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(),
    st.dates(), st.datetimes(), st.times(), st.text(alphabet="0123456789.,-+eE元万¥ 年月日/：:Xx"),
)


def _grouped(yuan: int) -> str:
    return f"{yuan:,}"


@st.composite
def written_amounts(draw, fen: int) -> str:
    """One way a person or a bank system writes `fen` yuan (all of them accepted)."""
    yuan, cents = divmod(fen, 100)
    integer = draw(st.sampled_from([str(yuan), _grouped(yuan)]))
    if cents:
        decimals = f"{cents:02d}".rstrip("0") if draw(st.booleans()) else f"{cents:02d}"
    else:
        decimals = draw(st.sampled_from(["", "0", "00"]))
    text = f"{integer}.{decimals}" if decimals else integer
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    prefix = draw(st.sampled_from(["", "¥", "￥", " "]))
    suffix = draw(st.sampled_from(["", "元", " 元", " "]))
    return f"{prefix}{text}{suffix}"


@FAST
@given(st.data(), fens)
def test_any_fen_written_any_accepted_way_parses_back_to_itself(data, fen):
    assert parse_amount(data.draw(written_amounts(fen))) == fen


@FAST
@given(st.data(), fens)
def test_negative_amounts_parse_back_only_where_allowed(data, fen):
    text = "-" + fen_to_yuan(fen)
    assert parse_amount(text, allow_negative=True) == -fen
    if fen:
        with pytest.raises(CellError, match="负数"):
            parse_amount(text)


@FAST
@given(st.integers(min_value=0, max_value=10**15 - 1))
def test_number_cells_parse_exactly_up_to_excels_fifteen_digits(fen):
    assert parse_amount(float(fen_to_yuan(fen))) == fen
    if fen % 100 == 0:
        assert parse_amount(fen // 100) == fen


@FAST
@given(st.integers(min_value=0, max_value=BIGINT_MAX // 100))
def test_amounts_in_wan_yuan_parse_to_fen(fen):
    wan, rest = divmod(fen, 1_000_000)
    assert parse_amount(f"{wan}.{rest:06d}", unit="万元") == fen
    assert parse_amount(f"{wan:,}.{rest:06d}万元", unit="万元") == fen


@FAST
@given(fens, st.integers(min_value=1, max_value=9))
def test_more_than_two_decimals_is_refused_not_rounded(fen, extra):
    with pytest.raises(CellError, match="两位小数"):
        parse_amount(f"{fen_to_yuan(fen)}{extra}")


@FAST
@given(st.integers(min_value=BIGINT_MAX + 1, max_value=10**25))
def test_amounts_beyond_a_bigint_column_are_refused(fen):
    with pytest.raises(CellError, match="金额过"):
        parse_amount(fen_to_yuan(fen))


@pytest.mark.parametrize("text", ["1E+1", "1e1", "1.5E3", "NaN", "Infinity", "1,23,4", "12,34.5", "1.2.3", "--1",
                                  "+1", "1_000", "٢٠", "(12.00)", "12.00万", "0x10", "元"])
def test_ambiguous_amounts_are_refused(text):
    with pytest.raises(CellError):
        parse_amount(text)


def test_a_card_number_in_the_amount_column_is_too_large_for_the_column():
    with pytest.raises(CellError, match="金额过大"):
        parse_amount("6222021234567890123")


@FAST
@given(any_cell, st.sampled_from(["元", "万元"]), st.booleans())
def test_amount_refusals_are_only_ever_cell_errors(value, unit, negative):
    try:
        fen = parse_amount(value, unit=unit, allow_negative=negative)
    except CellError as exc:
        assert exc.message and exc.field == "金额"
    else:
        assert isinstance(fen, int) and abs(fen) <= BIGINT_MAX and (negative or fen >= 0)


@FAST
@given(dates, st.data())
def test_accepted_date_formats_round_trip(day, data):
    y, m, d = day.year, day.month, day.day
    written = data.draw(st.sampled_from([
        day.isoformat(), f"{y}/{m}/{d}", f"{y}/{m:02d}/{d:02d}", f"{y}年{m}月{d}日", f"{y}{m:02d}{d:02d}",
        f"{y}.{m}.{d}", f"{day.isoformat()} 14:23:11", f"{day.isoformat()}T08:00",
        f"{y}年{m}月{d}日".translate(FULL_WIDTH), f" {y}-{m}-{d} ",
    ]))
    assert parse_date(written) == day


@FAST
@given(dates, st.times())
def test_date_cells_datetime_cells_serials_and_number_dates_round_trip(day, time):
    serial = (day - EXCEL_EPOCH).days
    assert parse_date(day) == day
    assert parse_date(dt.datetime.combine(day, time)) == day
    assert parse_date(serial) == day
    assert parse_date(float(serial) + 0.25) == day
    assert parse_date(int(day.strftime("%Y%m%d"))) == day


@pytest.mark.parametrize("text", ["2026-W50-2", "2026-99-99", "2026-02-30", "1989-12-31", "2101-01-01",
                                  "9999-12-01", "26-12-05", "2026-12", "12/05/2026", "2026-12/05", "46361",
                                  "2026年13月1日", "٢٠٢٦-١٢-٠٥", "2026-12-05 25"])
def test_ambiguous_or_impossible_dates_are_refused(text):
    with pytest.raises(CellError):
        parse_date(text)


@FAST
@given(any_cell)
def test_date_refusals_are_only_ever_cell_errors(value):
    try:
        day = parse_date(value)
    except CellError as exc:
        assert exc.message
    else:
        assert dt.date(1990, 1, 1) <= day <= dt.date(2100, 12, 31)


id_numbers = st.builds(make_id_number, st.sampled_from(["110105", "411224", "430102"]),
                       st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2020, 12, 31)),
                       st.integers(min_value=0, max_value=499), st.booleans())


@FAST
@given(id_numbers, st.data())
def test_id_numbers_as_typed_parse_to_the_canonical_form(number, data):
    variant = data.draw(st.sampled_from([number, number.lower(), number.translate(FULL_WIDTH), f" {number} ",
                                         f"'{number}", f"{number[:6]} {number[6:14]} {number[14:]}"]))
    assert parse_id_number(variant) == number
    if number.isdigit():
        assert parse_id_number(int(number)) == number


@FAST
@given(id_numbers)
def test_id_numbers_mangled_by_excel_are_refused_as_mangled(number):
    as_number = float(number[:17] + ("0" if number[17] == "X" else number[17]))
    for mangled in (as_number, f"{as_number:.5E}", f"{as_number:.14e}".upper()):
        with pytest.raises(CellError, match="科学计数法"):
            parse_id_number(mangled)


@FAST
@given(any_cell)
def test_id_refusals_are_only_ever_cell_errors(value):
    try:
        number = parse_id_number(value)
    except CellError as exc:
        assert exc.message
    else:
        assert len(number) == 18 and number.isascii()


@FAST
@given(st.text(max_size=50), st.integers(min_value=1, max_value=60))
def test_text_is_stripped_bounded_and_never_carries_nul(text, limit):
    try:
        parsed = parse_text(text, max_length=limit, required=False)
    except CellError as exc:
        assert "\x00" in text or len(text.strip()) > limit, exc.message
    else:
        assert "\x00" not in parsed and len(parsed) <= limit and parsed == parsed.strip()


def test_text_rules_name_what_is_wrong():
    with pytest.raises(CellError, match="NUL"):
        parse_text("LS\x00001", field="流水号")
    with pytest.raises(CellError, match="64"):
        parse_text("L" * 65, field="流水号", max_length=64)
    with pytest.raises(CellError, match="必须填写"):
        parse_text("  ", field="流水号")
    assert parse_text(20260001.0) == "20260001"


@FAST
@given(st.floats(min_value=-1e300, max_value=1e300))
def test_number_cells_read_as_excel_shows_them(x):
    text = cell_text(x)
    assert math.isclose(float(text), x, rel_tol=1e-14, abs_tol=0)
