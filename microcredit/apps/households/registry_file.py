"""The registry import file: reading (CSV / Excel / ODS) and full validation (DOMAIN §2).

One row per member; the household columns repeat on every member's row. Headers (`*` =
required; full-width brackets are accepted too):

    户编号* 行政村代码* 村民小组 户主姓名* 户类型* 五保户 低保户 识别年度 脱贫年度 人均纯收入(元)
    联系电话 住址 成员姓名* 身份证号* 与户主关系* 劳动能力 劳动技能 健康状况 成员电话

Choice columns take the Chinese label (贫困户, 已脱贫户, 边缘易致贫户, 监测对象, 一般农户; 户主,
配偶, 子女 …) or the code (poor, exited …); yes/no columns take 是/否 (also 1/0, Y/N, 空 = 否).

`parse_registry_file` returns a `ParsedRegistry` whose `errors` lists every problem as
"第N行 列X：规则" (the header is row 1). Nothing is written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.core.tables import canonical_header as _canonical_header, read_table
from microcredit.apps.households.models import (
    Health, Household, HouseholdStatus, LabourCapacity, Member, Relation, SkillLevel,
)
from microcredit.apps.regions.models import Region
from microcredit.domain.identity import id_number_error, parse_id_number

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
YES = {"是", "1", "y", "yes", "true", "√"}
NO = {"否", "0", "n", "no", "false", ""}
CHUNK = 900  # below SQLite's historical 999 parameters per query


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


@dataclass
class ParsedRegistry:
    """Validated content of a file: households by number, members in file order."""

    households: dict[str, dict] = field(default_factory=dict)
    members: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_registry_file(*, filename: str, data: bytes, scope: Scope) -> ParsedRegistry:
    """Read and validate a registry file for an importer with `scope`."""
    try:
        table = read_table(filename, data)
    except Exception as exc:  # a corrupt workbook or undecodable text
        return ParsedRegistry(errors=[f"第1行：无法读取文件（{exc}）"])
    return validate_registry_rows(table, scope=scope)


def validate_registry_rows(table: list[list[str]], *, scope: Scope) -> ParsedRegistry:
    """Validate every row of a table (first row = headers); see the module docstring."""
    parsed = ParsedRegistry()
    if not table:
        parsed.errors.append("第1行：文件为空")
        return parsed
    header = [_canonical_header(h) for h in table[0]]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        parsed.errors.append(f"第1行：缺少必填列 {'、'.join(missing)}")
        return parsed
    index = {h: i for i, h in enumerate(header) if h in HEADERS}
    body = [(n, row) for n, row in enumerate(table[1:], start=2) if any(c for c in row)]
    parsed.rows = len(body)
    villages = {
        r.code: r for code_chunk in _chunks(sorted({_get(row, index, "行政村代码") for _, row in body}))
        for r in Region.objects.filter(code__in=code_chunk)
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
    if not errors:
        _check_against_database(parsed, scope, first_row_of, id_row)
    return parsed


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _get(row: list[str], index: dict[str, int], column: str) -> str:
    i = index.get(column)
    return row[i].strip() if i is not None and i < len(row) else ""


def _household_fields(row, index, err, villages, scope) -> dict:
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
                                ("联系电话", "phone", 20), ("住址", "address", 128)):
        value = _get(row, index, column)
        if column == "户主姓名" and not value:
            err(column, "不能为空")
        elif len(value) > limit:
            err(column, f"不能超过{limit}个字符")
        else:
            out[attr] = value
    _choice(out, "status", _get(row, index, "户类型"), STATUS_VALUES, "户类型", err, required=True)
    for column, attr in (("五保户", "is_wubao"), ("低保户", "is_dibao")):
        value = _get(row, index, column).lower()
        if value in YES:
            out[attr] = True
        elif value in NO:
            out[attr] = False
        else:
            err(column, "只能填“是”或“否”")
    for column, attr in (("识别年度", "year_registered"), ("脱贫年度", "year_exited")):
        value = _get(row, index, column)
        if not value:
            out[attr] = None
        elif value.isdigit() and 1980 <= int(value) <= 2100:
            out[attr] = int(value)
        else:
            err(column, "须为四位年份（1980–2100）")
    income = _get(row, index, "人均纯收入(元)").replace(",", "")
    try:
        amount = Decimal(income or "0")
        if not amount.is_finite() or amount < 0:
            raise InvalidOperation
        if amount != amount.quantize(Decimal("0.01")):
            err("人均纯收入(元)", "最多两位小数")
        else:
            out["income_per_head"] = int(amount * 100)
    except InvalidOperation:
        err("人均纯收入(元)", "须为不小于0的数字（元）")
    return out


def _member_fields(row, index, err) -> dict:
    out: dict = {}
    name = _get(row, index, "成员姓名")
    if not name:
        err("成员姓名", "不能为空")
    elif len(name) > 32:
        err("成员姓名", "不能超过32个字符")
    else:
        out["name"] = name
    idn = _get(row, index, "身份证号").upper()
    problem = id_number_error(idn) if idn else "不能为空"
    if idn and not idn.isascii():
        problem = "身份证号只能包含半角数字和X"
    if problem:
        err("身份证号", problem)
    else:
        info = parse_id_number(idn)
        out.update(id_number=idn, birth_date=info.birth_date, is_male=info.is_male)
    _choice(out, "relation", _get(row, index, "与户主关系"), RELATION_VALUES, "与户主关系", err, required=True)
    _choice(out, "labour", _get(row, index, "劳动能力"), LABOUR_VALUES, "劳动能力", err, default=LabourCapacity.FULL)
    _choice(out, "skill", _get(row, index, "劳动技能"), SKILL_VALUES, "劳动技能", err, default=SkillLevel.NONE)
    _choice(out, "health", _get(row, index, "健康状况"), HEALTH_VALUES, "健康状况", err, default=Health.HEALTHY)
    phone = _get(row, index, "成员电话")
    if len(phone) > 20:
        err("成员电话", "不能超过20个字符")
    out["phone"] = phone[:20]
    return out


def _choice(out, attr, value, mapping, column, err, *, required=False, default=None) -> None:
    if not value:
        if required:
            err(column, "不能为空")
        else:
            out[attr] = str(default)
        return
    if value in mapping:
        out[attr] = str(mapping[value])
    else:
        labels = "、".join(k for k in mapping if not k.isascii())
        err(column, f"“{value}”不是有效选项（可选：{labels}）")


def _check_against_database(parsed: ParsedRegistry, scope: Scope, first_row_of, id_row) -> None:
    """Households and members already registered outside the importer's scope are refused."""
    for chunk in _chunks(list(parsed.households)):
        for number, code in Household.objects.filter(number__in=chunk).values_list("number", "region_code"):
            if not scope.covers(code):
                parsed.errors.append(f"第{first_row_of[number]}行 列户编号：户编号{number}已登记在您管辖范围外的行政村")
    for chunk in _chunks(list(id_row)):
        rows = Member.objects.filter(id_number__in=chunk).values_list("id_number", "household__region_code")
        for idn, code in rows:
            if not scope.covers(code):
                parsed.errors.append(f"第{id_row[idn]}行 列身份证号：该身份证号已登记在您管辖范围外的农户")
    parsed.errors.sort(key=lambda e: int(e[1:e.index("行")]))
