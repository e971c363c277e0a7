"""Properties of bank-ledger rows (microcredit.domain.ledger, DOMAIN §10): every canonical header is
recognised in any column order under title rows and among unknown columns; a row written from values
parses back to them (amounts in 元 and 万元, dates in every format); the term and rate parsers accept
what banks write and refuse the rest; equal row digests mean equal values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microcredit.domain.cells import EXCEL_EPOCH, CellError
from microcredit.domain.identity import make_id_number
from microcredit.domain.ledger import (
    BY_KEY,
    FIELD_KEYS,
    FIELDS,
    find_header,
    parse_cell,
    parse_row,
    row_digest,
)

FAST = settings(max_examples=150, deadline=None)
AS_OF = dt.date(2026, 11, 20)
TITLES = ["卢氏农商银行帮扶小额信贷台账", "数据日期：2026年10月31日", "单位：元", "填报单位（盖章）：", "附表3"]
extra_names = st.text(alphabet="甲乙丙丁戊己庚辛壬癸", min_size=2, max_size=6).map(lambda s: "附加" + s)
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=AS_OF)


def _date_cell(day: dt.date, form: int) -> object:
    return [day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}年{day.month}月{day.day}日",
            day.strftime("%Y%m%d"), float((day - EXCEL_EPOCH).days), dt.datetime.combine(day, dt.time(10, 30)), day,
            int(day.strftime("%Y%m%d"))][form]


@FAST
@given(order=st.permutations(range(len(FIELDS))), titles=st.integers(0, 3),
       extras=st.lists(extra_names, max_size=4, unique=True), seed=st.randoms(use_true_random=False))
def test_every_canonical_header_in_any_order_under_titles_and_among_unknown_columns(order, titles, extras, seed):
    header = [FIELDS[i].header for i in order]
    for name in extras:
        header.insert(seed.randint(0, len(header)), name)
    rows = [[TITLES[t]] + [""] * (len(header) - 1) for t in range(titles)] + [header, ["x"] * len(header)]
    match = find_header(rows)
    assert match.last_line == titles + 1
    assert match.columns == {f.key: header.index(f.header) for f in FIELDS}
    assert match.unrecognised == [h for h in header if h in extras]
    assert match.units.get("amount", "") == ""


def test_a_header_over_two_lines_with_group_titles():
    upper = ["合同编号", "借款人信息", "", "贷款信息", "", "", "逾期情况", "", "贷款余额(元)"]
    lower = ["", "姓名", "身份证号", "贷款金额（万元）", "放款日期", "贷款期限（年）", "金额", "起始日期", ""]
    match = find_header([["台账"], upper, lower])
    assert match.last_line == 3
    assert match.columns == {"contract_number": 0, "borrower_name": 1, "borrower_id": 2, "amount": 3,
                             "disbursed_on": 4, "term_months": 5, "overdue_amount": 6, "overdue_since": 7,
                             "balance": 8}
    assert match.units == {"amount": "万元", "term_months": "年"}


@FAST
@given(fen=st.integers(1, 10**12), balance=st.integers(0, 10**12), wan=st.booleans(), day=dates,
       forms=st.tuples(st.integers(0, 7), st.integers(0, 7)), term=st.integers(1, 600),
       rate=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(36), places=4),
       name=st.text(alphabet="张王李赵钱孙周吴郑", min_size=1, max_size=10), seq=st.integers(0, 499))
def test_a_row_written_from_values_parses_back(fen, balance, wan, day, forms, term, rate, name, seq):
    unit = "万元" if wan else "元"
    header = ["合同编号", "借款人姓名", "借款人身份证号", f"贷款金额({unit})", "贷款余额(元)", "放款日期", "到期日期",
              "贷款期限(月)", "执行年利率(%)"]
    match = find_header([header])
    number = make_id_number("411224", dt.date(1985, 5, 1), seq, bool(seq % 2))
    amount = f"{Decimal(fen) / 1_000_000:f}" if wan else f"{fen // 100:,}.{fen % 100:02d}"
    cells = [f"HT{seq}", name, number, amount, f"{balance / 100:.2f}" if balance < 10**15 else "", _date_cell(day, forms[0]),
             _date_cell(day, forms[1]), str(term), f"{rate}%"]
    values, errors = parse_row(cells, match, 2, AS_OF)
    assert errors == []
    assert {k: v for k, v in values.items() if v is not None} == {
        "contract_number": f"HT{seq}", "borrower_name": name, "borrower_id": number, "amount": fen, "balance": balance,
        "disbursed_on": day, "maturity_date": day, "term_months": term, "annual_rate": rate}


MONTHS = BY_KEY["term_months"]
RATE = BY_KEY["annual_rate"]


@pytest.mark.parametrize(("cell", "unit", "months"), [
    (36, "", 36), (36.0, "", 36), ("36", "", 36), ("36个月", "", 36), ("36月", "", 36), ("３６", "", 36),
    ("3年", "", 36), ("3", "年", 36), (600, "", 600), (1, "", 1),
])
def test_terms_accepted(cell, unit, months):
    assert parse_cell(MONTHS, cell, "贷款期限", unit) == months


@pytest.mark.parametrize("cell", [0, 601, "0", "-3", "3.5", 36.5, "三年", "36天", "abc", "1e2", "51年"])
def test_terms_refused(cell):
    with pytest.raises(CellError):
        parse_cell(MONTHS, cell, "贷款期限", "")


@FAST
@given(rate=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(36), places=4), percent=st.booleans(),
       as_float=st.booleans())
def test_rates_accepted(rate, percent, as_float):
    cell = float(rate) if as_float else f"{rate}{'%' if percent else ''}"
    assert parse_cell(RATE, cell, "执行年利率", "") == rate


@pytest.mark.parametrize("cell", [0, "0", "0.0", "36.01", 40, "-1", "abc", "1e1", "4.35‰", "", "4..35"])
def test_rates_refused(cell):
    with pytest.raises(CellError):
        parse_cell(RATE, cell, "执行年利率", "")


def _value(kind: str):
    return {
        "text": st.text(min_size=1, max_size=8).filter(lambda s: s.strip() == s and s),
        "id": st.sampled_from(["411224198505010011", "41122419850501002X", "411224198505010038"]),
        "date": dates, "amount": st.integers(0, 10**9), "months": st.integers(1, 600),
        "rate": st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(36), places=4),
        "yesno": st.booleans(), "mode": st.sampled_from(["self", "partnership", "enterprise"]),
    }[kind]


rows = st.fixed_dictionaries({f.key: st.none() | _value(f.kind) for f in FIELDS})


@FAST
@given(a=rows, b=rows, same=st.booleans())
def test_row_digest_equal_iff_values_equal(a, b, same):
    if same:
        b = dict(a)
    assert (row_digest(a) == row_digest(b)) == (a == b)
    assert set(a) == set(FIELD_KEYS)


def test_row_digest_a_separator_inside_a_value_does_not_shift_columns():
    base = dict.fromkeys(FIELD_KEYS)
    a = base | {"township": "城关\x1f镇", "village": "东关村"}
    b = base | {"township": "城关", "village": "镇\x1f东关村"}
    assert row_digest(a) != row_digest(b)
    assert row_digest(base | {"township": "a\\", "village": "x"}) != row_digest(base | {"township": "a", "village": "\\x"})
