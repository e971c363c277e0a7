"""Bank ledgers (台账): the columns, how a file's header is recognised, and one row's rules (DOMAIN §10).

A ledger file is a bank's statement of the policy loans it services, one row per loan. Banks
spell the columns their own way, put a title over the header, split the header over two lines
with merged cells, add totals and blank rows. This module decides, without Django:

* `FIELDS`: the ledger's fields, each with its canonical header (the 台账 export writes exactly
  these) and the usual spellings (matched after `cells.normalise_header`);
* `find_header`: which of the first rows is the header (one line, or two lines whose upper cells
  span several columns), which column holds each field, the unit of each amount column (元 or
  万元, from the header) and the columns not recognised (reported, not imported);
* `parse_row`: one row's values, parsed by the shared cell parsers (`domain.cells`), with every
  broken rule as a `RowError` naming row, column (as the file spells it), value and rule;
* `is_skipped`: blank rows and totals rows (合计, 小计, 总计) are not loans.

A bank's saved column mapping (its template) is a dict field → header text; it is tried before
the usual spellings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
from decimal import Decimal, InvalidOperation

from microcredit.domain.cells import (
    CellError, cell_text, normalise_header, parse_amount, parse_date, parse_id_number, parse_text,
)

__all__ = [
    "FIELDS", "FIELD_KEYS", "REQUIRED", "USAGE_MODES", "USAGE_MODE_LABELS", "HeaderMatch", "LedgerHeaderError", "RowError",
    "LOANS", "REPAYMENTS", "REPAYMENT_KEYS", "Layout", "Values", "find_header", "parse_block", "is_skipped", "parse_row", "row_digest",
]

HEADER_SEARCH_ROWS = 15  # a title, a date line and a two-line header fit
TOTAL_WORDS = ("合计", "小计", "总计", "累计合计")
YES = {"是", "1", "Y", "YES", "TRUE", "√", "已纳入", "纳入"}
NO = {"否", "0", "N", "NO", "FALSE", "×", "未纳入", "不纳入"}
MAX_RATE = Decimal("36")  # percent a year: above it the cell is a typing error, not a rate
MAX_TERM_MONTHS = 600


@dataclass(frozen=True)
class Field:
    """One ledger column: ``kind`` decides the parser; ``aliases`` are normalised header names."""

    key: str
    header: str
    kind: str  # text | id | date | amount | months | rate | yesno | mode
    aliases: tuple[str, ...]
    max_length: int = 64


FIELDS: tuple[Field, ...] = (
    Field("township", "乡镇", "text", ("乡镇", "乡(镇)", "乡镇名称", "所属乡镇", "乡镇街道", "乡")),
    Field("village", "行政村", "text", ("行政村", "村", "村名", "行政村名称", "所属村", "村居", "村(社区)")),
    Field("group", "村民小组", "text", ("村民小组", "组", "村民组", "小组")),
    Field("head_name", "户主姓名", "text", ("户主姓名", "户主")),
    Field("head_id", "户主身份证号", "id", ("户主身份证号", "户主身份证号码", "户主证件号码")),
    Field("borrower_name", "借款人姓名", "text", ("借款人姓名", "借款人", "贷款人姓名", "贷款人", "客户名称", "客户姓名",
                                                 "姓名")),
    Field("borrower_id", "借款人身份证号", "id", ("借款人身份证号", "借款人身份证号码", "借款人证件号码", "身份证号",
                                                   "身份证号码", "证件号码", "客户证件号码", "公民身份号码")),
    Field("relation", "与户主关系", "text", ("与户主关系", "与户主的关系"), 12),
    Field("household_status", "户类型", "text", ("户类型", "户属性", "农户类型", "户类别", "户身份", "农户属性"), 16),
    Field("grade", "信用等级", "text", ("信用等级", "评级等级", "评定等级", "评级结果", "信用评级"), 8),
    Field("credit_limit", "授信额度(元)", "amount", ("授信额度", "授信金额")),
    Field("granting_bank", "授信银行", "text", ("授信银行", "授信机构")),
    Field("granted_on", "授信日期", "date", ("授信日期", "授信时间")),
    Field("contract_number", "合同编号", "text", ("合同编号", "合同号", "贷款合同号", "贷款合同编号", "借款合同编号",
                                                 "借款合同号", "借据号", "借据编号", "贷款账号"), 40),
    Field("amount", "贷款金额(元)", "amount", ("贷款金额", "放款金额", "发放金额", "借款金额", "合同金额", "贷款发放金额")),
    Field("term_months", "贷款期限(月)", "months", ("贷款期限", "期限", "借款期限")),
    Field("disbursed_on", "放款日期", "date", ("放款日期", "发放日期", "贷款发放日期", "借款日期", "起贷日期", "贷款日期",
                                              "放款时间", "发放时间")),
    Field("maturity_date", "到期日期", "date", ("到期日期", "到期日", "贷款到期日期", "贷款到期日", "止贷日期", "到期时间")),
    Field("annual_rate", "执行年利率(%)", "rate", ("执行年利率", "执行利率", "年利率", "贷款利率", "利率", "贷款年利率")),
    Field("lending_bank", "贷款银行", "text", ("贷款银行", "放款银行", "经办银行", "贷款机构", "放贷银行", "承贷银行",
                                              "金融机构")),
    Field("subsidy_to_date", "累计贴息(元)", "amount", ("累计贴息", "累计贴息金额", "已贴息金额", "贴息金额", "累计财政贴息")),
    Field("repaid_amount", "累计还款(元)", "amount", ("累计还款", "累计还款金额", "已还本金", "累计还本", "已还款金额",
                                                     "累计还本金额", "已还金额")),
    Field("last_repaid_on", "最近还款日期", "date", ("最近还款日期", "还款日期", "最后还款日期", "最近一次还款日期")),
    Field("balance", "贷款余额(元)", "amount", ("贷款余额", "余额", "本金余额", "贷款本金余额")),
    Field("overdue_amount", "逾期金额(元)", "amount", ("逾期金额", "逾期本金", "逾期本金金额", "逾期贷款金额")),
    Field("overdue_since", "逾期起始日期", "date", ("逾期起始日期", "逾期日期", "逾期时间", "逾期起始日", "逾期开始日期")),
    Field("unpaid_interest", "欠息(元)", "amount", ("欠息", "欠息金额", "拖欠利息", "欠息余额")),
    Field("unpaid_interest_since", "欠息起始日期", "date", ("欠息起始日期", "欠息日期", "欠息开始日期")),
    Field("industry", "产业", "text", ("产业", "贷款用途", "用途", "产业类型", "借款用途", "产业项目", "发展产业")),
    Field("usage_mode", "使用方式", "mode", ("使用方式", "资金使用方式", "贷款使用方式", "使用模式", "贷款使用模式")),
    Field("account_number", "放款账户", "text", ("放款账户", "放款账号", "收款账号", "收款账户", "入账账号", "入账账户",
                                                "贷款入账账号"), 40),
    Field("payee", "资金使用主体", "text", ("资金使用主体", "收款单位", "收款人名称", "资金流向", "用款主体", "带动主体"), 100),
    Field("risk_fund", "纳入风险补偿", "yesno", ("纳入风险补偿", "是否纳入风险补偿", "风险补偿", "是否风险补偿",
                                                "纳入风险补偿金")),
)
FIELD_KEYS = tuple(f.key for f in FIELDS)
BY_KEY = {f.key: f for f in FIELDS}
REQUIRED = ("contract_number", "borrower_name", "borrower_id", "amount", "disbursed_on", "balance")
IGNORED = frozenset({
    "序号", "行号", "编号", "备注", "说明", "省", "市", "县", "县区", "县(市、区)", "年龄", "性别", "民族", "联系电话",
    "手机号码", "手机号", "电话", "家庭人口", "人口数", "贷款类型", "贷款种类", "担保方式", "还款方式", "五级分类",
    "贷款状态", "经办人", "客户经理",
})
# Labels of the usage modes (DOMAIN §4) → the loans app's codes; 户贷企用 is kept to be reported.
USAGE_MODES = {
    "户贷户用·自我发展": "self", "自我发展": "self", "户贷户用": "self", "自主发展": "self",
    "户贷户用·合伙发展": "partnership", "合伙发展": "partnership",
    "户贷社管·合作发展": "coop_managed", "合作发展": "coop_managed",
    "户贷社管·合营发展": "coop_joint", "合营发展": "coop_joint",
    "户贷企用": "enterprise", "分贷统还": "legacy_pooled", "分贷统还(存量项目)": "legacy_pooled",
}
USAGE_MODE_LABELS = {
    "self": "户贷户用·自我发展", "partnership": "户贷户用·合伙发展", "coop_managed": "户贷社管·合作发展",
    "coop_joint": "户贷社管·合营发展", "enterprise": "户贷企用", "legacy_pooled": "分贷统还",
}
REPAYMENT_FIELDS: tuple[Field, ...] = (
    BY_KEY["contract_number"],
    Field("repaid_on", "还款日期", "date", ("还款日期", "实际还款日期", "交易日期", "还款时间")),
    Field("principal", "还款本金(元)", "amount", ("还款本金", "归还本金", "实还本金", "本金")),
    Field("interest", "还款利息(元)", "amount", ("还款利息", "归还利息", "实还利息", "利息")),
    Field("penalty", "还款罚息(元)", "amount", ("还款罚息", "归还罚息", "实还罚息", "罚息")),
    Field("reference", "流水号", "text", ("流水号", "交易流水号", "还款流水号", "交易号"), 64),
    BY_KEY["lending_bank"],
)


class Values(tuple):
    """A row's parsed values, read by field key, stored as a tuple in the layout's field order (a dict per
    row of a province's file would cost three times the memory). Each layout has its own subclass."""

    __slots__ = ()
    INDEX: dict[str, int] = {}
    KEYS: tuple[str, ...] = ()

    def __getitem__(self, key):
        return tuple.__getitem__(self, self.INDEX[key] if isinstance(key, str) else key)

    def get(self, key: str, default=None):
        index = self.INDEX.get(key)
        return default if index is None else tuple.__getitem__(self, index)


@dataclass(frozen=True, eq=False)
class Layout:
    """A kind of bank file: its fields, the ones every row needs, and header names deliberately not read."""

    name: str
    fields: tuple[Field, ...]
    required: tuple[str, ...]

    @cached_property
    def by_key(self) -> dict[str, Field]:
        return {f.key: f for f in self.fields}

    @cached_property
    def alias_of(self) -> dict[str, str]:
        return {alias: f.key for f in self.fields for alias in f.aliases}

    @cached_property
    def values_type(self) -> type[Values]:
        """The `Values` class of this layout (its field keys in order)."""
        index = {f.key: n for n, f in enumerate(self.fields)}
        return type(f"{self.name.title()}Values", (Values,), {"__slots__": (), "INDEX": index, "KEYS": tuple(index)})

    @cached_property
    def memo_keys(self) -> frozenset[str]:
        """Fields whose cells repeat across rows (parsed once per distinct cell); IDs and numbers do not."""
        unique = {"contract_number", "account_number", "reference"}
        return frozenset(f.key for f in self.fields if f.kind != "id" and f.key not in unique)


LOANS = Layout("loans", FIELDS, REQUIRED)
REPAYMENTS = Layout("repayments", REPAYMENT_FIELDS, ("contract_number", "repaid_on", "principal", "reference"))
REPAYMENT_KEYS = tuple(f.key for f in REPAYMENT_FIELDS)
_UNIT_SUFFIX = re.compile(r"(万元|元)$")
_MONTHS = re.compile(r"(\d{1,4})(个月|月)?", re.ASCII)
_YEARS = re.compile(r"(\d{1,2})年", re.ASCII)
_RATE = re.compile(r"\d{1,2}(?:\.\d{1,6})?", re.ASCII)
_MODE_TEXT = re.compile(r"[\s·•.。\-—]")
_GROUP_WORD = re.compile(r"(情况|信息|明细|状况)$")  # a group title's last word: "逾期情况" over "金额" → "逾期金额"


class LedgerHeaderError(Exception):
    """No header with the required columns in the first rows (``message`` in Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    """One broken rule of one row: ``row`` is the file's line, ``column`` the file's header text."""

    row: int
    column: str
    value: str
    rule: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "rule": self.rule,
                "message": self.message}


@dataclass
class HeaderMatch:
    """Where the header is and what each column holds."""

    last_line: int  # 1-based line of the header's last row; data starts on the next line
    columns: dict[str, int]  # field key → 0-based column
    titles: dict[str, str]  # field key → the header as the file spells it
    units: dict[str, str] = field(default_factory=dict)  # amount field → 元 or 万元; months field → 月 or 年
    unrecognised: list[str] = field(default_factory=list)


def _name_unit(text: str) -> tuple[str, str]:
    name, qualifier = normalise_header(text)
    unit = ""
    if "万元" in qualifier:
        unit = "万元"
    elif "年" in qualifier and "利率" not in name:
        unit = "年"
    found = _UNIT_SUFFIX.search(name)
    if found and len(name) > len(found.group(1)) + 1:
        unit = unit or ("万元" if found.group(1) == "万元" else "")
        name = name[: found.start()]
    return name, unit


def _match(cells: Sequence[str], template: Mapping[str, str], alias_of: Mapping[str, str]) -> HeaderMatch | None:
    saved = {normalise_header(title)[0]: key for key, title in template.items()}
    columns, titles, units, unrecognised = {}, {}, {}, []
    for position, text in enumerate(cells):
        if not text.strip():
            continue
        name, unit = _name_unit(text)
        key = saved.get(normalise_header(text)[0]) or saved.get(name) or alias_of.get(name)
        if key is None or key in columns:
            if name not in IGNORED and key is None:
                unrecognised.append(text.strip())
            continue
        columns[key], titles[key] = position, text.strip()
        if unit:
            units[key] = unit
    return HeaderMatch(0, columns, titles, units, unrecognised) if columns else None


def _stacked(upper: Sequence[str], lower: Sequence[str], alias_of: Mapping[str, str]) -> list[str]:
    """A two-line header read as one: a merged upper cell spans the empty cells right of it; a
    lower cell under a group title is the column's name ("逾期情况" over "金额" → "逾期金额"
    when "金额" alone names nothing)."""
    out, carried = [], ""
    for position in range(max(len(upper), len(lower))):
        top = upper[position].strip() if position < len(upper) else ""
        low = lower[position].strip() if position < len(lower) else ""
        carried = top or carried if low else top
        if not low:
            out.append(top)
        elif alias_of.get(_name_unit(low)[0]) or not carried:
            out.append(low)
        else:
            group = normalise_header(carried)[0]
            joined = [j for j in (group + low, _GROUP_WORD.sub("", group) + low) if alias_of.get(_name_unit(j)[0])]
            out.append(joined[0] if joined else low)
    return out


def find_header(rows: Sequence[Sequence[object]], template: Mapping[str, str] | None = None,
                layout: Layout = LOANS) -> HeaderMatch:
    """The header among the first `HEADER_SEARCH_ROWS` rows: the line (or pair of lines) that
    recognises the most fields of ``layout`` and holds every required one.

    Raises:
        LedgerHeaderError: no such line; the message names the required columns not found.
    """
    template, alias_of = template or {}, layout.alias_of
    texts = [[cell_text(c).strip() for c in row] for row in rows[:HEADER_SEARCH_ROWS]]
    best: HeaderMatch | None = None
    for index, cells in enumerate(texts):
        candidates = [cells] + ([_stacked(texts[index - 1], cells, alias_of)] if index else [])
        for candidate in candidates:
            match = _match(candidate, template, alias_of)
            if match and (best is None or len(match.columns) > len(best.columns)):
                match.last_line = index + 1
                best = match
    missing = [layout.by_key[k].header for k in layout.required if best is None or k not in best.columns]
    if best is None or missing:
        raise LedgerHeaderError(f"前 {HEADER_SEARCH_ROWS} 行内未找到表头：缺少列 {'、'.join(missing)}"
                                "（可在“列对照模板”中为本行设置列名）")
    return best


def is_skipped(row: Sequence[object]) -> bool:
    """Blank rows and totals rows (合计, 小计, 总计 in one of the first eight cells) are not loans."""
    blank = True
    for n, cell in enumerate(row):
        if cell is None or cell == "":
            continue
        if cell.__class__ is str:
            text = cell.strip()
            if not text:
                continue
            if n < 8 and text.replace(" ", "").replace("\u3000", "") in TOTAL_WORDS:
                return True
        blank = False
        if n >= 8:
            break
    return blank


def _months(value: object, unit: str, column: str) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", cell_text(value)).strip().replace(" ", "")  # full-width digits too
    years = _YEARS.fullmatch(text)
    match = _MONTHS.fullmatch(text)
    if years:
        months = int(years.group(1)) * 12
    elif match:
        months = int(match.group(1)) * (12 if unit == "年" else 1)
    else:
        raise CellError(column, "不是期限（填月数，如 36；或“3年”）", value)
    if not 1 <= months <= MAX_TERM_MONTHS:
        raise CellError(column, f"期限必须在 1–{MAX_TERM_MONTHS} 个月之间", value)
    return months


def _rate(value: object, column: str) -> Decimal:
    text = unicodedata.normalize("NFKC", cell_text(value)).strip().replace(" ", "").removesuffix("%")
    if isinstance(value, float):
        text = format(value, ".10g")
    if not _RATE.fullmatch(text):
        raise CellError(column, "不是年利率（填百分数，如 4.35）", value)
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise CellError(column, "不是年利率（填百分数，如 4.35）", value) from None
    if not 0 < rate <= MAX_RATE:
        raise CellError(column, f"年利率须大于 0 且不超过 {MAX_RATE}%", value)
    return rate.quantize(Decimal("0.0001"))


def _yesno(value: object, column: str) -> bool:
    text = cell_text(value).strip().upper()
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(column, "只能填“是”或“否”", value)


def _mode_key(text: str) -> str:
    """A usage-mode label compared loosely: full width as half width, separators and spaces dropped."""
    return _MODE_TEXT.sub("", unicodedata.normalize("NFKC", text).strip())


def _mode(value: object, column: str) -> str:
    text = _mode_key(cell_text(value))
    for label, code in USAGE_MODES.items():
        if _mode_key(label) == text:
            return code
    raise CellError(column, "不是贷款使用方式（如 户贷户用·自我发展、户贷户用·合伙发展、户贷社管·合作发展）", value)


def parse_cell(f: Field, value: object, column: str, unit: str) -> object:
    """One cell of field ``f`` (an empty cell → None; required fields are checked by `parse_row`).

    Raises:
        CellError: naming the rule.
    """
    if f.kind == "text":
        return parse_text(value, field=column, max_length=f.max_length)
    if f.kind == "id":
        return parse_id_number(value, field=column, check=False)
    if f.kind == "date":
        return parse_date(value, field=column)
    if f.kind == "amount":
        return parse_amount(value, field=column, unit=unit or "元")
    if f.kind == "months":
        return _months(value, unit, column)
    if f.kind == "rate":
        return _rate(value, column)
    if f.kind == "yesno":
        return _yesno(value, column)
    return _mode(value, column)


def _order_errors(values: dict, titles: dict[str, str], line: int, as_of: dt.date) -> list[RowError]:
    """Rules across a row's cells: dates in order and not after the data date; amounts that fit."""
    out = []

    def add(key: str, rule: str, message: str) -> None:
        out.append(RowError(line, titles.get(key, BY_KEY[key].header), cell_text(values.get(key)), rule, message))

    disbursed = values.get("disbursed_on")
    if disbursed and disbursed > as_of:
        add("disbursed_on", "date_after_as_of", f"放款日期晚于数据日期 {as_of.isoformat()}")
    if values.get("amount") == 0:
        add("amount", "not_positive", "贷款金额必须大于 0")
    for key in ("maturity_date", "last_repaid_on", "overdue_since"):
        day = values.get(key)
        if disbursed and day and day < disbursed:
            add(key, "before_disbursement", f"{BY_KEY[key].header}早于放款日期 {disbursed.isoformat()}")
    repaid_on = values.get("last_repaid_on")
    if repaid_on and repaid_on > as_of:
        add("last_repaid_on", "date_after_as_of", f"最近还款日期晚于数据日期 {as_of.isoformat()}")
    return out


def _blank(raw: object) -> bool:
    return raw is None or raw == "" or (raw.__class__ is str and not raw.strip())


_NOTHING = object()  # an empty cell's parse result


def _column(f: Field, cells: list, title: str, unit: str, memo: dict) -> tuple[list, dict[int, str]]:
    """One column of a block parsed: each distinct cell once (``memo``: cell → value or CellError),
    then mapped back. Returns the values (None for empty cells and errors) and {index: rule broken}.
    A bool cell is keyed apart from the number it equals (True == 1 in Python, not in a ledger)."""
    def key(raw):
        return (bool, raw) if raw.__class__ is bool else raw

    for raw in dict.fromkeys(map(key, cells)):
        if raw in memo:
            continue
        cell = raw[1] if raw.__class__ is tuple else raw
        if _blank(cell):
            memo[raw] = _NOTHING
            continue
        try:
            memo[raw] = parse_cell(f, cell, title, unit)
        except CellError as exc:
            memo[raw] = exc
    results = [memo[key(raw)] for raw in cells]
    bad = {n: r.message for n, r in enumerate(results) if r.__class__ is CellError}
    values = [None if r is _NOTHING or r.__class__ is CellError else r for r in results]
    return values, bad


def parse_block(rows: Sequence[Sequence[object]], lines: Sequence[int], header: HeaderMatch, as_of: dt.date,
                cache: dict | None = None, layout: Layout = LOANS) -> tuple[list[Values], dict[int, list[RowError]]]:
    """Rows of a ledger parsed column by column: each row's values (`Values`, absent columns and empty
    cells None) and {row index: its errors}, each row's errors in column order, then the rules across
    its cells (dates in order, not after the data date; amounts that fit).

    ``cache`` (field key → {cell: value or CellError}), shared over a file's blocks, parses each repeated
    cell (dates, amounts, names of villages) once; unique cells (ID and contract numbers) are parsed
    within the block only.
    """
    cache = {} if cache is None else cache
    fields, size = layout.by_key, len(rows)
    columns: dict[str, list] = {}
    errors: dict[int, list[RowError]] = {}
    ids: dict = {}  # the head's number is mostly the borrower's: parsed once per block
    for key, position in header.columns.items():
        f, title = fields[key], header.titles[key]
        try:
            cells = list(map(itemgetter(position), rows))
        except IndexError:  # a short row (CSV): the missing cells are empty
            cells = [row[position] if position < len(row) else None for row in rows]
        memo = cache.setdefault(key, {}) if key in layout.memo_keys else ids if f.kind == "id" else {}
        columns[key], bad = _column(f, cells, title, header.units.get(key, ""), memo)
        required = key in layout.required
        for n in sorted(set(bad) | ({n for n, v in enumerate(columns[key]) if v is None} if required else set())):
            if n in bad:
                errors.setdefault(n, []).append(RowError(lines[n], title, cell_text(cells[n])[:60], "cell", bad[n]))
            else:
                errors.setdefault(n, []).append(RowError(lines[n], title, "", "required", f"{title}必须填写"))
    empty = [None] * size
    make = layout.values_type
    values = [make(t) for t in zip(*(columns.get(f.key, empty) for f in layout.fields))]
    rule = _order_errors if layout is LOANS else _repayment_errors
    for n, row_values in enumerate(values):
        found = rule(row_values, header.titles, lines[n], as_of)
        if found:
            errors.setdefault(n, []).extend(found)
    return values, errors


def parse_row(row: Sequence[object], header: HeaderMatch, line: int, as_of: dt.date,
              cache: dict | None = None, layout: Layout = LOANS) -> tuple[dict, list[RowError]]:
    """One ledger row (`parse_block` of one): its values by field key and its errors."""
    values, errors = parse_block([row], [line], header, as_of, cache, layout)
    return dict(zip((f.key for f in layout.fields), values[0])), errors.get(0, [])


def _repayment_errors(values: dict, titles: dict[str, str], line: int, as_of: dt.date) -> list[RowError]:
    """A repayment is not after the data date and repays something."""
    out = []
    day = values.get("repaid_on")
    if day and day > as_of:
        out.append(RowError(line, titles.get("repaid_on", "还款日期"), day.isoformat(), "date_after_as_of",
                            f"还款日期晚于数据日期 {as_of.isoformat()}"))
    if all(values.get(k) is not None for k in ("principal",)) and not any(
            values.get(k) for k in ("principal", "interest", "penalty")):
        out.append(RowError(line, titles.get("principal", "还款本金"), "0", "not_positive", "还款金额合计必须大于 0"))
    return out


def row_digest(values: Mapping[str, object], keys: Sequence[str] = FIELD_KEYS) -> str:
    """A stable digest of a row's values: equal digests ⇒ re-importing the row changes nothing.

    The text is the ``repr`` of the values in key order: strings quoted and escaped, so no value can
    shift into its neighbour's place, and each type written distinctly (5 is not "5").
    """
    if isinstance(values, Values) and values.KEYS == tuple(keys):
        text = tuple.__repr__(values)  # already the values in key order
    else:
        text = repr(tuple(values.get(k) for k in keys))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
