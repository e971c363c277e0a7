"""The registry import file: reading (CSV / Excel / ODS) and full validation (DOMAIN §2).

One row per member; the household columns repeat on every member's row. Columns (`*` =
required), under their canonical names:

    户编号* 行政村代码* 村民小组 户主姓名* 户类型* 五保户 低保户 识别年度 脱贫年度 人均纯收入(元)
    联系电话 住址 成员姓名* 身份证号* 与户主关系* 劳动能力 劳动技能 健康状况 成员电话

Headers are compared after `normalise_header` (full-width → half-width, spaces, `*` marks and
bracketed qualifiers removed) against `COLUMN_ALIASES` (the usual spellings of the national
system and county spreadsheets: 是否五保户, 家庭人均纯收入, 手机号码 …). A header that is
neither a known spelling nor in `IGNORED_COLUMNS` refuses the file ("无法识别的列"), so a column
is never silently dropped.

Only columns present in the file update stored values, and an empty cell keeps the stored
value (a new household or member gets the default): a re-import without 五保户 never turns a
五保户 into an eligible household. Choice columns take the Chinese label or the code;
yes/no columns take 是/否 (also 1/0, Y/N).

Values are checked by the plausibility rules of `microcredit.domain.registry` against what the
record will hold after the import (stored values overlaid by the file), with the business date
as today. `parse_registry_file` returns a `ParsedRegistry` whose `errors` lists every problem as
"第N行 列X：规则" (the header is row 1). Nothing is written here.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from microcredit.apps.accounts.scope import SYSTEM, Scope
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.tables import TableError, read_cells
from microcredit.apps.households.models import (
    Health, Household, HouseholdStatus, LabourCapacity, Member, Relation, SkillLevel,
)
from microcredit.apps.regions.selectors import regions_in_scope
from microcredit.domain.identity import parse_id_number as parse_identity
from microcredit.domain.cells import CellError, cell_text, normalise_header, parse_amount, parse_id_number
from microcredit.domain.registry import (
    HouseholdFacts, MemberFacts, check_household, check_member, default_labour, normalise_phone,
)

# Canonical header → model attribute (household part, then member part).
HOUSEHOLD_COLUMNS = {
    "户编号": "number", "行政村代码": "village_id", "村民小组": "group_name", "户主姓名": "head_name",
    "户类型": "status", "五保户": "is_wubao", "低保户": "is_dibao", "识别年度": "year_registered",
    "脱贫年度": "year_exited", "人均纯收入(元)": "income_per_head", "联系电话": "phone", "住址": "address",
}
MEMBER_COLUMNS = {
    "成员姓名": "name", "身份证号": "id_number", "与户主关系": "relation", "劳动能力": "labour",
    "劳动技能": "skill", "健康状况": "health", "成员电话": "phone",
}
HEADERS = list(HOUSEHOLD_COLUMNS) + list(MEMBER_COLUMNS)
REQUIRED = ("户编号", "行政村代码", "户主姓名", "户类型", "成员姓名", "身份证号", "与户主关系")
INCOME = "人均纯收入(元)"

# Canonical header → the usual spellings, as `normalise_header` leaves them (no brackets, no spaces).
COLUMN_ALIASES = {
    "户编号": ("户编号", "户编码", "户号", "农户编号"),
    "行政村代码": ("行政村代码", "村代码", "行政村区划代码", "村区划代码", "区划代码", "行政区划代码"),
    "村民小组": ("村民小组", "村民组", "组别", "小组", "组"),
    "户主姓名": ("户主姓名", "户主"),
    "户类型": ("户类型", "农户类型", "户类别", "户身份"),
    "五保户": ("五保户", "是否五保户", "五保", "是否五保"),
    "低保户": ("低保户", "是否低保户", "低保", "是否低保"),
    "识别年度": ("识别年度", "识别年份", "识别时间", "建档年度", "纳入年度"),
    "脱贫年度": ("脱贫年度", "脱贫年份", "脱贫时间", "退出年度", "实际脱贫年度"),
    INCOME: ("人均纯收入", "家庭人均纯收入", "年人均纯收入", "人均年纯收入", "家庭年人均纯收入"),
    "联系电话": ("联系电话", "电话", "手机号码", "手机号", "手机", "联系方式", "户主电话", "户主联系电话",
                 "户主手机号码"),
    "住址": ("住址", "家庭住址", "地址", "详细地址", "家庭地址"),
    "成员姓名": ("成员姓名", "姓名", "家庭成员姓名"),
    "身份证号": ("身份证号", "身份证号码", "证件号码", "公民身份号码", "身份证件号码"),
    "与户主关系": ("与户主关系", "与户主的关系", "家庭关系"),
    "劳动能力": ("劳动能力", "劳动力状况"),
    "劳动技能": ("劳动技能", "技能状况"),
    "健康状况": ("健康状况", "身体状况"),
    "成员电话": ("成员电话", "成员联系电话", "成员手机号码", "本人电话", "本人联系电话", "本人手机号码"),
}
# Columns deliberately not imported: numbering, names of regions (the code decides), what the ID
# number already says, counts the system computes, and national-system fields not kept here.
IGNORED_COLUMNS = frozenset({
    "序号", "行号", "备注", "说明", "省", "市", "县", "县区", "乡镇", "乡", "镇", "乡镇名称", "行政村",
    "行政村名称", "村", "村名", "村名称", "性别", "出生日期", "出生年月", "年龄", "民族", "政治面貌",
    "文化程度", "在校生状况", "务工状况", "务工时间", "户主身份证号", "户主身份证号码", "人口数",
    "家庭人口数", "家庭人口", "家庭人数",
})
_HEADER_OF = {alias: column for column, aliases in COLUMN_ALIASES.items() for alias in aliases}

YES = {"是", "1", "y", "yes", "true", "√"}
NO = {"否", "0", "n", "no", "false", "×"}
CHUNK = 900  # below SQLite's historical 999 parameters per query

_SPACES = re.compile(r"\s+")
_YEAR = re.compile(r"\d{4}")
# Column a domain rule's field is reported under.
_HOUSEHOLD_FIELD_COLUMN = {"year_registered": "识别年度", "year_exited": "脱贫年度", "income_per_head": INCOME,
                           "phone": "联系电话"}
_MEMBER_FIELD_COLUMN = {"birth_date": "身份证号", "relation": "与户主关系", "labour": "劳动能力", "phone": "成员电话"}


def _choice_map(choices) -> dict[str, str]:
    mapping = {}
    for value, label in choices.choices:
        mapping[value] = value
        mapping[str(label)] = value
    return mapping


STATUS_VALUES = _choice_map(HouseholdStatus)
RELATION_VALUES = _choice_map(Relation) | {"本人": Relation.HEAD, "妻": Relation.SPOUSE, "夫": Relation.SPOUSE,
                                          "之子": Relation.CHILD, "之女": Relation.CHILD}
LABOUR_VALUES = _choice_map(LabourCapacity)
SKILL_VALUES = _choice_map(SkillLevel)
HEALTH_VALUES = _choice_map(Health)
MEMBER_DEFAULTS = {"skill": str(SkillLevel.NONE), "health": str(Health.HEALTHY), "phone": ""}


@dataclass
class ParsedRegistry:
    """Validated content of a file: households by number, members in file order.

    A household dict holds the attributes its columns set (absent columns and empty cells are
    not in it); a member dict likewise, plus ``new_defaults`` for the attributes a member not yet
    registered gets when the file leaves them out.
    """

    households: dict[str, dict] = field(default_factory=dict)
    members: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_registry_file(*, filename: str, data: bytes, scope: Scope, today: dt.date | None = None) -> ParsedRegistry:
    """Read and validate a registry file for an importer with `scope` (today: the business date)."""
    try:
        table = read_cells(filename, data)  # raw cells: an ID number Excel turned into a number is seen as such
    except TableError as exc:  # a corrupt workbook, undecodable text, a refused upload
        return ParsedRegistry(errors=[f"第1行：无法读取文件（{exc.message}）"])
    return validate_registry_rows(table, scope=scope, today=today or business_date())


def _resolve_headers(table: list[list[str]], errors: list[str]) -> dict[str, int]:
    """Canonical column → position; every unknown, duplicated or unusable header is an error."""
    index: dict[str, int] = {}
    unknown: list[str] = []
    for i, cell in enumerate(cell_text(c) for c in table[0]):
        name, qualifier = normalise_header(cell)
        if not name:
            if any(i < len(row) and cell_text(row[i]).strip() for row in table[1:]):
                errors.append(f"第1行：第{i + 1}列没有列名但有数据")
            continue
        column = _HEADER_OF.get(name)
        if column is None:
            if name not in IGNORED_COLUMNS:
                unknown.append(f"“{cell.strip()}”")
            continue
        if column == INCOME and ("万" in qualifier or "千" in qualifier):
            errors.append(f"第1行：列“{cell.strip()}”的单位无法使用，人均纯收入须以元为单位")
            continue
        if column in index:
            first = cell_text(table[0][index[column]]).strip()
            errors.append(f"第1行：列“{cell.strip()}”与列“{first}”都表示“{column}”，只能保留一列")
            continue
        index[column] = i
    if unknown:
        errors.append(f"第1行：无法识别的列：{'、'.join(unknown)}（请改为模板中的列名；不需要导入的列请删除）")
    return index


def validate_registry_rows(table: list[list[str]], *, scope: Scope, today: dt.date) -> ParsedRegistry:
    """Validate every row of a table (first row = headers); see the module docstring."""
    parsed = ParsedRegistry()
    if not table:
        parsed.errors.append("第1行：文件为空")
        return parsed
    index = _resolve_headers(table, parsed.errors)
    missing = [h for h in REQUIRED if h not in index]
    if missing:
        parsed.errors.append(f"第1行：缺少必填列 {'、'.join(missing)}")
    if parsed.errors:
        return parsed
    body = [(n, row) for n, row in enumerate(table[1:], start=2) if any(cell_text(c).strip() for c in row)]
    parsed.rows = len(body)
    villages = {
        r.code: r for code_chunk in _chunks(sorted({_get(row, index, "行政村代码") for _, row in body}))
        for r in regions_in_scope(user=SYSTEM).filter(code__in=code_chunk)
    }
    errors = parsed.errors
    first_row_of: dict[str, int] = {}
    id_row: dict[str, int] = {}
    heads: dict[str, int] = {}
    for n, row in body:
        def err(column: str, rule: str) -> None:
            errors.append(f"第{n}行 列{column}：{rule}")

        hh = _household_fields(row, index, err, villages, scope)
        member = _member_fields(row, index, err)
        number = hh.get("number")
        if not number:
            continue
        if number in parsed.households:
            first = parsed.households[number]
            for column, attr in HOUSEHOLD_COLUMNS.items():
                if attr in hh and attr in first and hh[attr] != first[attr]:
                    err(column, f"与同户第{first_row_of[number]}行不一致")
                elif attr in hh:
                    first[attr] = hh[attr]  # a value only this row gives (the others left it empty)
        else:
            parsed.households[number] = hh
            first_row_of[number] = n
        idn = member.get("id_number")
        if idn:
            if idn in id_row:
                err("身份证号", f"身份证号{idn}与第{id_row[idn]}行重复")
            else:
                id_row[idn] = n
        if member.get("relation") == Relation.HEAD:
            if number in heads:
                err("与户主关系", f"同户已有户主（第{heads[number]}行）")
            else:
                heads[number] = n
                if member.get("name") and hh.get("head_name") and member["name"] != hh["head_name"]:
                    err("成员姓名", "户主本人的成员姓名须与户主姓名一致")
                parsed.households[number]["head_id_number"] = idn or ""
        member["household_number"] = number
        member["row"] = n
        parsed.members.append(member)
    for number, n in first_row_of.items():
        if number not in heads:
            errors.append(f"第{n}行 列与户主关系：户编号{number}没有户主（须有一行“户主”）")
    _check_plausible(parsed, scope, first_row_of, id_row, today, scope_checks=not errors)
    errors.sort(key=lambda e: int(e[1:e.index("行")]))
    return parsed


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _raw(row: list, index: dict[str, int], column: str):
    i = index.get(column)
    return row[i] if i is not None and i < len(row) else None


def _get(row: list, index: dict[str, int], column: str) -> str:
    return cell_text(_raw(row, index, column)).strip()


def _household_fields(row, index, err, villages, scope) -> dict:
    """The household attributes this row sets: required ones always, others only when filled in."""
    out: dict = {}
    number = _get(row, index, "户编号")
    if not number:
        err("户编号", "不能为空")
    elif len(number) > 32:
        err("户编号", "不能超过32个字符")
    else:
        out["number"] = number
    code = _get(row, index, "行政村代码")
    village = villages.get(code)
    if not code:
        err("行政村代码", "不能为空")
    elif village is None or village.level != "village":
        err("行政村代码", f"行政村{code}不存在")
    elif not scope.covers(code):
        err("行政村代码", f"行政村{code}不在您的管辖范围内")
    else:
        out["village_id"] = code
        out["region_code"] = code
    for column, attr, limit in (("户主姓名", "head_name", 32), ("村民小组", "group_name", 32),
                                ("住址", "address", 128)):
        value = _get(row, index, column)
        if column == "户主姓名" and not value:
            err(column, "不能为空")
        elif len(value) > limit:
            err(column, f"不能超过{limit}个字符")
        elif value:
            out[attr] = value
    phone = normalise_phone(_get(row, index, "联系电话"))
    if phone:
        out["phone"] = phone  # checked by the domain rule (length included)
    _choice(out, "status", _get(row, index, "户类型"), STATUS_VALUES, "户类型", err, required=True)
    for column, attr in (("五保户", "is_wubao"), ("低保户", "is_dibao")):
        value = _get(row, index, column).lower()
        if not value:
            continue  # empty: keep what is stored (a new household: 否)
        if value in YES:
            out[attr] = True
        elif value in NO:
            out[attr] = False
        else:
            err(column, f"只能填“是”或“否”（现为“{value}”）")
    for column, attr in (("识别年度", "year_registered"), ("脱贫年度", "year_exited")):
        value = unicodedata.normalize("NFKC", _get(row, index, column)).removesuffix("年")
        if not value:
            continue
        if _YEAR.fullmatch(value):
            out[attr] = int(value)
        else:
            err(column, f"须为四位年份，如2015（现为“{value}”）")
    if _get(row, index, INCOME):
        try:  # the shared cell parser: thousands separators, full width, "元"; the range is a domain rule
            out["income_per_head"] = parse_amount(_raw(row, index, INCOME), field=INCOME)
        except CellError as exc:
            err(INCOME, f"{exc.message}（现为“{_get(row, index, INCOME)}”）")
    return out


def _member_fields(row, index, err) -> dict:
    """The member attributes this row sets: name, ID (birth, sex) and relation always, others when filled in."""
    out: dict = {}
    name = _get(row, index, "成员姓名")
    if not name:
        err("成员姓名", "不能为空")
    elif len(name) > 32:
        err("成员姓名", "不能超过32个字符")
    else:
        out["name"] = name
    try:  # the shared cell parser: full width, lower-case x, and IDs Excel stored as numbers
        idn = parse_id_number(_raw(row, index, "身份证号"), field="身份证号")
    except CellError as exc:
        err("身份证号", exc.message)
    else:
        info = parse_identity(idn)
        out.update(id_number=idn, birth_date=info.birth_date, is_male=info.is_male)
    _choice(out, "relation", _get(row, index, "与户主关系"), RELATION_VALUES, "与户主关系", err, required=True)
    _choice(out, "labour", _get(row, index, "劳动能力"), LABOUR_VALUES, "劳动能力", err)
    _choice(out, "skill", _get(row, index, "劳动技能"), SKILL_VALUES, "劳动技能", err)
    _choice(out, "health", _get(row, index, "健康状况"), HEALTH_VALUES, "健康状况", err)
    phone = normalise_phone(_get(row, index, "成员电话"))
    if phone:
        out["phone"] = phone
    return out


def _choice(out, attr, value, mapping, column, err, *, required=False) -> None:
    if not value:
        if required:
            err(column, "不能为空")
        return
    if value in mapping:
        out[attr] = str(mapping[value])
    else:
        labels = "、".join(k for k in mapping if not k.isascii())
        err(column, f"“{value}”不是有效选项（可选：{labels}）")


def _stored_households(numbers: list[str]) -> dict[str, Household]:
    found: dict[str, Household] = {}
    for chunk in _chunks(numbers):
        found.update(Household.objects.only(
            "number", "region_code", "year_registered", "year_exited", "income_per_head", "phone",
        ).in_bulk(chunk, field_name="number"))
    return found


def _stored_members(id_numbers: list[str]) -> dict[str, Member]:
    found: dict[str, Member] = {}
    for chunk in _chunks(id_numbers):
        found.update(Member.objects.select_related("household").only(
            "id_number", "labour", "phone", "household__region_code",
        ).in_bulk(chunk, field_name="id_number"))
    return found


def _check_plausible(parsed: ParsedRegistry, scope: Scope, first_row_of, id_row, today: dt.date, *,
                     scope_checks: bool) -> None:
    """Domain rules on the values each record will hold; records already registered outside
    the importer's scope are refused (`scope_checks`: only for a file otherwise clean)."""
    stored = _stored_households(list(parsed.households))
    for number, values in parsed.households.items():
        household = stored.get(number)
        if household is not None and scope_checks and not scope.covers(household.region_code):
            parsed.errors.append(f"第{first_row_of[number]}行 列户编号：户编号{number}已登记在您管辖范围外的行政村")
        base = HouseholdFacts() if household is None else HouseholdFacts(
            household.year_registered, household.year_exited, household.income_per_head, household.phone)
        facts = base._replace(**{k: v for k, v in values.items() if k in HouseholdFacts._fields})
        only = None if household is None else values.keys()
        for failure in check_household(facts, today=today, only=only):
            parsed.errors.append(f"第{first_row_of[number]}行 列{_HOUSEHOLD_FIELD_COLUMN[failure.field]}：{failure.message}")
    members = _stored_members(list(id_row))
    for values in parsed.members:
        if "birth_date" not in values or "relation" not in values:
            continue  # the ID number or relation is already reported
        member = members.get(values["id_number"])
        if member is not None and scope_checks and not scope.covers(member.household.region_code):
            parsed.errors.append(f"第{values['row']}行 列身份证号：该身份证号已登记在您管辖范围外的农户")
        if member is None:
            values["new_defaults"] = MEMBER_DEFAULTS | {"labour": default_labour(values["birth_date"], today)}
            merged = values["new_defaults"] | values
        else:
            merged = {"labour": member.labour, "phone": member.phone} | values
        facts = MemberFacts(merged["birth_date"], merged["relation"], merged["labour"], merged["phone"])
        only = None if member is None else values.keys()
        for failure in check_member(facts, today=today, only=only):
            parsed.errors.append(f"第{values['row']}行 列{_MEMBER_FIELD_COLUMN[failure.field]}：{failure.message}")
