"""Registry import: full validation first (nothing written on any error), idempotent upsert,
CSV and Excel, as a background job and as a command, fast enough for 20k rows."""

import csv
import datetime as dt
import io
import random
from types import SimpleNamespace

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.households.models import Household, Member
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.households.registry_file import (
    COLUMN_ALIASES, HEADERS, IGNORED_COLUMNS, normalise_header, parse_registry_file,
)
from microcredit.apps.households.services import registry_import
from microcredit.apps.jobs.models import Job
from microcredit.apps.jobs.runner import run_job
from microcredit.domain.registry import HouseholdFacts, MemberFacts, check_household, check_member
from tests.factories import make_region_tree, make_user, next_id_number

pytestmark = pytest.mark.django_db
ALL = Scope((), None, unrestricted=True)


def member_row(number, village, head, name, id_number, relation="户主", **extra):
    row = {
        "户编号": number, "行政村代码": village.code, "村民小组": "一组", "户主姓名": head, "户类型": "贫困户",
        "五保户": "否", "低保户": "是", "识别年度": "2015", "脱贫年度": "", "人均纯收入(元)": "3500.50",
        "联系电话": "13800001111", "住址": "", "成员姓名": name, "身份证号": id_number, "与户主关系": relation,
        "劳动能力": "普通劳动力", "劳动技能": "有一定经验", "健康状况": "健康", "成员电话": "",
    }
    row.update(extra)
    return row


def sample_rows(tree):
    v1, v3 = tree.villages[0], tree.villages[2]
    return [
        member_row("H001", v1, "张三", "张三", next_id_number()),
        member_row("H001", v1, "张三", "李四", next_id_number(male=False), "配偶"),
        member_row("H001", v1, "张三", "张小三", next_id_number(), "子女", 劳动能力="无劳动力"),
        member_row("H002", v3, "王五", "王五", next_id_number(), 户类型="已脱贫户", 脱贫年度="2019"),
    ]


def to_csv(rows, *, bom=True) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADERS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def to_xlsx(rows) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADERS)
    for i, row in enumerate(rows, start=1):
        for j, header in enumerate(HEADERS):
            value = row[header]
            if header in ("识别年度", "人均纯收入(元)") and value:
                sheet.write_number(i, j, float(value))  # numbers as Excel numbers
            else:
                sheet.write_string(i, j, value)
    book.close()
    return out.getvalue()


def do_import(data: bytes, filename="registry.csv", scope=ALL, actor=None):
    parsed = parse_registry_file(filename=filename, data=data, scope=scope)
    assert parsed.ok, parsed.errors
    return registry_import(parsed=parsed, actor=actor, source=filename)


def counts():
    return Household.objects.count(), Member.objects.count(), AuditEntry.objects.count()


def test_a_good_file_creates_households_members_and_audit_rows():
    tree = make_region_tree()
    result = do_import(to_csv(sample_rows(tree)))
    assert (result.households_created, result.members_created) == (2, 4)
    h1 = Household.objects.get(number="H001")
    assert (h1.village_id, h1.region_code, h1.status, h1.is_dibao, h1.income_per_head) == (
        tree.villages[0].code, tree.villages[0].code, "poor", True, 350050)
    head = h1.members.get(relation="head")
    assert h1.head_id_number == head.id_number and head.name == "张三"
    assert h1.members.get(name="张小三").labour == "none"
    assert Household.objects.get(number="H002").year_exited == 2019
    assert AuditEntry.objects.filter(action="household.import_create", household_id=h1.pk).count() == 1
    assert AuditEntry.objects.filter(action="member.import_create", household_id=h1.pk).count() == 3
    assert AuditEntry.objects.filter(action="registry.import").count() == 1


def test_importing_the_same_file_twice_changes_nothing():
    tree = make_region_tree()
    data = to_csv(sample_rows(tree))
    do_import(data)
    before = counts()
    snapshot = list(Household.objects.values())
    result = do_import(data)
    assert result.as_dict() == {"households_created": 0, "households_updated": 0, "members_created": 0,
                                "members_updated": 0, "unchanged_rows": 4}
    h, m, a = counts()
    assert (h, m) == before[:2]
    assert a == before[2] + 1  # only the import summary row
    assert list(Household.objects.values()) == snapshot


def test_a_reimport_updates_in_place_and_audits_the_difference():
    tree = make_region_tree()
    rows = sample_rows(tree)
    do_import(to_csv(rows))
    for row in rows[:3]:
        row["户类型"] = "已脱贫户"
        row["脱贫年度"] = "2020"
    rows[1]["健康状况"] = "长期慢性病"
    result = do_import(to_csv(rows))
    assert (result.households_updated, result.members_updated, result.households_created) == (1, 1, 0)
    h1 = Household.objects.get(number="H001")
    assert h1.status == "exited" and h1.year_exited == 2020
    entry = AuditEntry.objects.get(action="household.import_update")
    assert entry.household_id == h1.pk
    assert entry.before == {"status": "poor", "year_exited": None}
    assert entry.after == {"status": "exited", "year_exited": 2020}
    assert AuditEntry.objects.get(action="member.import_update").after == {"health": "chronic"}


def test_an_excel_file_imports_like_the_csv():
    tree = make_region_tree()
    rows = sample_rows(tree)
    result = do_import(to_xlsx(rows), filename="registry.xlsx")
    assert (result.households_created, result.members_created) == (2, 4)
    assert Household.objects.get(number="H001").income_per_head == 350050
    assert Household.objects.get(number="H001").year_registered == 2015
    again = do_import(to_csv(rows))  # the same content as CSV: nothing to change
    assert again.households_updated == 0 and again.members_updated == 0


def test_codes_and_labels_are_both_accepted_and_lowercase_x_is_stored_uppercase():
    tree = make_region_tree()
    idn = next_id_number()
    while not idn.endswith("X"):
        idn = next_id_number()
    rows = [member_row("H009", tree.villages[0], "赵六", "赵六", idn.lower(), "head", 户类型="edge", 五保户="1")]
    do_import(to_csv(rows, bom=False))
    h = Household.objects.get(number="H009")
    assert (h.status, h.is_wubao, h.head_id_number) == ("edge", True, idn)


def _error_cases(tree):
    v1 = tree.villages[0]
    good = next_id_number()
    return [
        ({"身份证号": good[:-1] + ("0" if good[-1] != "0" else "1")}, "第2行 列身份证号：身份证号校验位错误（GB 11643）"),
        ({"身份证号": "41122419801"}, "第2行 列身份证号：身份证号必须是18位"),
        ({"行政村代码": "411224109009"}, "第2行 列行政村代码：行政村411224109009不存在"),
        ({"行政村代码": tree.townships[0].code}, f"第2行 列行政村代码：行政村{tree.townships[0].code}不存在"),
        ({"户类型": "特困户"}, "第2行 列户类型：“特困户”不是有效选项"),
        ({"人均纯收入(元)": "3500.555"}, "第2行 列人均纯收入(元)：以元计最多两位小数"),
        ({"人均纯收入(元)": "三千"}, "第2行 列人均纯收入(元)：不是金额"),
        ({"五保户": "也许"}, "第2行 列五保户：只能填“是”或“否”"),
        ({"识别年度": "15"}, "第2行 列识别年度：须为四位年份"),
        ({"成员姓名": ""}, "第2行 列成员姓名：不能为空"),
        ({"与户主关系": "朋友"}, "第2行 列与户主关系：“朋友”不是有效选项"),
        ({"成员姓名": "别人"}, "第2行 列成员姓名：户主本人的成员姓名须与户主姓名一致"),
    ], v1


@pytest.mark.parametrize("case", range(12))
def test_each_bad_value_is_reported_with_row_column_rule_and_nothing_is_written(case):
    tree = make_region_tree()
    cases, village = _error_cases(tree)
    change, expected = cases[case]
    rows = sample_rows(tree)
    rows[0].update(change)
    before = counts()
    parsed = parse_registry_file(filename="r.csv", data=to_csv(rows), scope=ALL)
    assert any(e.startswith(expected) for e in parsed.errors), parsed.errors
    assert counts() == before


def test_file_level_rules_duplicates_inconsistency_missing_head_and_columns():
    tree = make_region_tree()
    rows = sample_rows(tree)
    rows[2]["身份证号"] = rows[1]["身份证号"]
    rows[1]["户类型"] = "已脱贫户"
    rows.append(member_row("H003", tree.villages[1], "孙七", "孙八", next_id_number(), "子女"))
    errors = parse_registry_file(filename="r.csv", data=to_csv(rows), scope=ALL).errors
    assert f"第4行 列身份证号：身份证号{rows[1]['身份证号']}与第3行重复" in errors
    assert "第3行 列户类型：与同户第2行不一致" in errors
    assert "第6行 列与户主关系：户编号H003没有户主（须有一行“户主”）" in errors
    missing = parse_registry_file(filename="r.csv", data="户编号,成员姓名\nH1,甲\n".encode(), scope=ALL)
    assert missing.errors == ["第1行：缺少必填列 行政村代码、户主姓名、户类型、身份证号、与户主关系"]


def test_a_village_outside_the_importers_scope_is_refused():
    tree = make_region_tree()
    township_scope = Scope((tree.townships[0].prefix,), None)
    parsed = parse_registry_file(filename="r.csv", data=to_csv(sample_rows(tree)), scope=township_scope)
    assert parsed.errors == [f"第5行 列行政村代码：行政村{tree.villages[2].code}不在您的管辖范围内"]


def test_the_import_page_enqueues_a_job_that_imports_and_reports_progress(client):
    tree = make_region_tree()
    officer = make_user("county_office", scope_regions=[tree.county.prefix])
    client.force_login(officer)
    upload = SimpleUploadedFile("档案.csv", to_csv(sample_rows(tree)))
    response = client.post(reverse("households:import"), {"file": upload})
    assert response.status_code == 302
    job = Job.objects.get(kind="registry_import")
    status_url = reverse("households:import_status", args=[job.pk])
    assert 'hx-trigger="every 1s"' in client.get(status_url).content.decode()
    job = run_job(job)
    assert job.status == "done" and job.result["ok"] and job.result["households_created"] == 2
    html = client.get(status_url).content.decode()
    assert "导入完成" in html and "every 1s" not in html
    assert AuditEntry.objects.filter(action="household.import_create", actor=officer).count() == 2


def test_a_job_with_a_bad_file_writes_nothing_and_shows_the_errors(client):
    tree = make_region_tree()
    officer = make_user("county_office", scope_regions=[tree.county.prefix])
    client.force_login(officer)
    rows = sample_rows(tree)
    rows[3]["户类型"] = "富裕户"
    client.post(reverse("households:import"), {"file": SimpleUploadedFile("r.csv", to_csv(rows))})
    before = counts()
    job = run_job(Job.objects.get(kind="registry_import"))
    assert job.result["ok"] is False and counts() == before
    html = client.get(reverse("households:import_status", args=[job.pk])).content.decode()
    assert "第5行 列户类型" in html and "未导入任何数据" in html


def test_only_importers_see_the_import_page(client):
    tree = make_region_tree()
    client.force_login(make_user("village_station", scope_regions=[tree.villages[0].prefix]))
    assert client.get(reverse("households:import")).status_code == 403


def test_management_command(tmp_path):
    tree = make_region_tree()
    path = tmp_path / "registry.csv"
    path.write_bytes(to_csv(sample_rows(tree)))
    call_command("import_registry", str(path))
    assert Household.objects.count() == 2
    rows = sample_rows(tree)
    rows[0]["身份证号"] = "bad"
    path.write_bytes(to_csv(rows))
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_registry", str(path))


def test_a_large_file_imports_in_chunks_and_reimports_as_unchanged():
    """More rows than one write chunk (900); the speed is measured in bench/bench_import.py."""
    tree = make_region_tree()
    rows = []
    for h in range(600):
        head = f"户主{h}"
        for m in range(4):
            rows.append(member_row(f"P{h:05d}", tree.villages[h % 4], head, head if m == 0 else f"成员{h}-{m}",
                                   next_id_number(), "户主" if m == 0 else "子女"))
    data = to_csv(rows)
    result = do_import(data)
    assert result.members_created == 2400 and Household.objects.count() == 600
    assert do_import(data).unchanged_rows == 2400


def test_the_downloadable_template_imports_cleanly(client):
    tree = make_region_tree()
    officer = make_user("county_office", scope_regions=[tree.county.prefix])
    client.force_login(officer)
    response = client.get(reverse("households:import_template"))
    data = b"".join(response.streaming_content)
    parsed = parse_registry_file(filename="t.xlsx", data=data, scope=Scope.of(officer))
    assert parsed.ok, parsed.errors
    assert parsed.households["H0001"]["status"] == "poor" and parsed.members[0]["id_number"] == "11010519491231002X"


def test_a_job_queued_by_the_system_imports_county_wide():
    from django.core.files.base import ContentFile

    from microcredit.apps.jobs.runner import enqueue

    tree = make_region_tree()
    job = enqueue(kind="registry_import", params={"filename": "nightly.csv"},
                  file=ContentFile(to_csv(sample_rows(tree)), name="nightly.csv"))
    job = run_job(job)
    assert job.result["ok"] and job.result["members_created"] == 4
    assert AuditEntry.objects.get(action="registry.import").actor_label == "系统"


# --- re-imports without optional columns, header spellings, plausibility (issue 8 §2) ----------

TODAY = dt.date(2026, 12, 3)


def to_csv_columns(rows, columns, *, headers=None) -> bytes:
    """Only `columns` (canonical names) of `rows`, under `headers` (the spellings written in row 1)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers or columns)
    for row in rows:
        writer.writerow([row[c] for c in columns])
    return out.getvalue().encode("utf-8")


REQUIRED_ONLY = ["户编号", "行政村代码", "户主姓名", "户类型", "成员姓名", "身份证号", "与户主关系"]


def test_a_reimport_without_the_optional_columns_leaves_them_unchanged():
    tree = make_region_tree()
    rows = sample_rows(tree)
    rows[0]["五保户"] = rows[1]["五保户"] = rows[2]["五保户"] = "是"
    rows[2]["劳动能力"] = "丧失劳动力"
    rows[2]["健康状况"] = "残疾"
    do_import(to_csv(rows))
    stored = list(Household.objects.order_by("number").values())
    members = list(Member.objects.order_by("id_number").values())
    result = do_import(to_csv_columns(rows, REQUIRED_ONLY))
    assert result.households_updated == 0 and result.members_updated == 0
    assert list(Household.objects.order_by("number").values()) == stored
    assert list(Member.objects.order_by("id_number").values()) == members
    h1 = Household.objects.get(number="H001")
    assert (h1.is_wubao, h1.is_dibao, h1.income_per_head, h1.phone, h1.year_registered) == (
        True, True, 350050, "13800001111", 2015)
    assert h1.members.get(name="张小三").labour == "lost"


def test_empty_cells_keep_the_stored_values_and_an_explicit_no_clears_a_flag():
    tree = make_region_tree()
    rows = sample_rows(tree)
    for row in rows[:3]:
        row["五保户"] = "是"
    do_import(to_csv(rows))
    for row in rows:
        row.update({"五保户": "", "低保户": "", "人均纯收入(元)": "", "联系电话": "", "识别年度": "",
                    "劳动能力": "", "健康状况": ""})
    assert do_import(to_csv(rows)).as_dict()["households_updated"] == 0
    h1 = Household.objects.get(number="H001")
    assert (h1.is_wubao, h1.is_dibao, h1.income_per_head, h1.phone) == (True, True, 350050, "13800001111")
    assert h1.members.get(name="张小三").labour == "none"
    for row in rows[:3]:
        row["五保户"] = "否"
    do_import(to_csv(rows))
    assert Household.objects.get(number="H001").is_wubao is False


def test_a_new_household_from_a_minimal_file_gets_the_defaults_and_a_child_no_labour():
    tree = make_region_tree()
    rows = sample_rows(tree)[:1]
    rows.append(member_row("H001", tree.villages[0], "张三", "张小小", next_id_number(born=dt.date(2018, 3, 1)), "子女"))
    with pinned_business_date(TODAY):
        do_import(to_csv_columns(rows, REQUIRED_ONLY))
    h1 = Household.objects.get(number="H001")
    assert (h1.is_wubao, h1.is_dibao, h1.income_per_head, h1.phone, h1.year_registered) == (False, False, 0, "", None)
    assert h1.members.get(name="张三").labour == "full" and h1.members.get(name="张小小").labour == "none"


HEADER_SPELLINGS = [
    ("人均纯收入(元)", "人均纯收入(元/年)"), ("人均纯收入(元)", "人均纯收入（元）"), ("人均纯收入(元)", "家庭人均纯收入"),
    ("人均纯收入(元)", " 人均纯收入 （元／年） "), ("人均纯收入(元)", "人均纯收入\n(元/人·年)"),
    ("五保户", "是否五保户"), ("五保户", "五保"), ("低保户", "是否低保户"), ("低保户", "低保"),
    ("联系电话", "手机号码"), ("联系电话", "联系电话*"), ("身份证号", "身份证号码"), ("身份证号", "公民身份号码"),
    ("户编号", "*户编号"), ("识别年度", "识别年度(年)"), ("与户主关系", "与户主的关系"),
]


@pytest.mark.parametrize("canonical, spelling", HEADER_SPELLINGS)
def test_the_usual_header_spellings_are_recognised(canonical, spelling):
    tree = make_region_tree()
    rows = sample_rows(tree)
    for row in rows:
        row.update({"五保户": "是", "低保户": "是"})
    headers = [spelling if h == canonical else h for h in HEADERS]
    do_import(to_csv_columns(rows, HEADERS, headers=headers))
    h1 = Household.objects.get(number="H001")
    assert (h1.income_per_head, h1.is_wubao, h1.is_dibao, h1.phone, h1.year_registered) == (
        350050, True, True, "13800001111", 2015)


def test_a_per_capita_income_header_with_the_year_unit_imports_income_in_an_excel_file():
    tree = make_region_tree()
    rows = sample_rows(tree)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, [h if h != "人均纯收入(元)" else "人均纯收入（元/年）" for h in HEADERS])
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, [row[h] for h in HEADERS])
    book.close()
    do_import(out.getvalue(), filename="r.xlsx")
    assert Household.objects.get(number="H001").income_per_head == 350050


def test_header_normalisation_is_one_function():
    assert normalise_header("人均纯收入（元/年）") == ("人均纯收入", "元/年")
    assert normalise_header("\ufeff 是否 五保户* ") == ("是否五保户", "")
    assert normalise_header("【必填】户编号") == ("户编号", "必填")
    assert normalise_header("联系电话［手机］") == ("联系电话", "手机")


def test_no_alias_is_claimed_by_two_columns_or_ignored():
    aliases = [a for spellings in COLUMN_ALIASES.values() for a in spellings]
    assert len(aliases) == len(set(aliases))
    assert not set(aliases) & IGNORED_COLUMNS
    assert all(normalise_header(a) == (a, "") for a in aliases)
    assert {normalise_header(h)[0] for h in HEADERS} <= set(aliases)


def test_an_unknown_header_refuses_the_file_naming_it_and_nothing_is_written():
    tree = make_region_tree()
    rows = sample_rows(tree)
    headers = [h if h != "脱贫年度" else "计划脱贫年度" for h in HEADERS] + ["收入来源"]
    for row in rows:
        row["收入来源"] = "务工"
    before = counts()
    parsed = parse_registry_file(filename="r.csv", data=to_csv_columns(rows, HEADERS + ["收入来源"], headers=headers),
                                 scope=ALL)
    assert parsed.errors == ["第1行：无法识别的列：“计划脱贫年度”、“收入来源”（请改为模板中的列名；不需要导入的列请删除）"]
    assert counts() == before


def test_ignorable_columns_such_as_the_row_number_are_accepted():
    tree = make_region_tree()
    rows = sample_rows(tree)
    for i, row in enumerate(rows, start=1):
        row.update({"序号": str(i), "性别": "男", "乡镇": "城关镇"})
    do_import(to_csv_columns(rows, ["序号", "乡镇"] + HEADERS + ["性别"]))
    assert Household.objects.count() == 2


@pytest.mark.parametrize("headers, error", [
    (["人均纯收入(万元)"], "第1行：列“人均纯收入(万元)”的单位无法使用，人均纯收入须以元为单位"),
    (["手机号码"], "第1行：列“手机号码”与列“联系电话”都表示“联系电话”，只能保留一列"),
])
def test_a_header_in_another_unit_or_a_duplicated_column_is_refused(headers, error):
    tree = make_region_tree()
    rows = sample_rows(tree)
    for row in rows:
        row.update({h: row["人均纯收入(元)"] if "收入" in h else row["联系电话"] for h in headers})
    parsed = parse_registry_file(filename="r.csv", data=to_csv_columns(rows, HEADERS + headers), scope=ALL)
    assert parsed.errors == [error]


def test_impossible_values_are_refused_with_row_column_value_and_rule_and_nothing_is_written():
    tree = make_region_tree()
    rows = sample_rows(tree)
    rows.append(member_row("H009", tree.villages[0], "未来", "未来", next_id_number(born=dt.date(2030, 5, 1)),
                           识别年度="2030", 联系电话="12345"))
    rows.append(member_row("H009", tree.villages[0], "未来", "小孩", next_id_number(born=dt.date(2016, 6, 1)),
                           "子女", 识别年度="2030", 联系电话="12345", 成员电话="0371-023"))
    rows[0]["人均纯收入(元)"] = rows[1]["人均纯收入(元)"] = rows[2]["人均纯收入(元)"] = "1500000"
    before = counts()
    with pinned_business_date(TODAY):
        parsed = parse_registry_file(filename="r.csv", data=to_csv(rows), scope=ALL)
    assert parsed.errors == [
        "第2行 列人均纯收入(元)：人均纯收入1500000.00元不合理（须在0至1,000,000元之间，以元为单位）",
        "第6行 列识别年度：识别年度2030不合理（须在2014年至今年2026年之间）",
        "第6行 列联系电话：电话“12345”不是有效号码（手机号为1开头、第二位3–9的11位数字；"
        "固定电话为0开头的3–4位区号加7–8位号码，如0371-62345678）",
        "第6行 列身份证号：身份证号中的出生日期2030-05-01晚于今天（2026-12-03）",
        "第7行 列劳动能力：未满16周岁（现10岁）的成员不能登记为“普通劳动力”，应为“无劳动力”或“丧失劳动力”",
        "第7行 列成员电话：电话“0371-023”不是有效号码（手机号为1开头、第二位3–9的11位数字；"
        "固定电话为0开头的3–4位区号加7–8位号码，如0371-62345678）",
    ]
    assert counts() == before


def test_a_reimport_checks_the_file_against_what_is_stored():
    """脱贫年度 alone in a file is compared with the stored 识别年度; a 15-year-old cannot become head."""
    tree = make_region_tree()
    rows = sample_rows(tree)
    do_import(to_csv(rows))
    minimal = [dict(r, 脱贫年度="2014") for r in rows]
    with pinned_business_date(TODAY):
        parsed = parse_registry_file(filename="r.csv", data=to_csv_columns(minimal, REQUIRED_ONLY + ["脱贫年度"]),
                                     scope=ALL)
    assert "第2行 列脱贫年度：脱贫年度2014早于识别年度2015" in parsed.errors


def test_the_demo_generators_households_satisfy_the_registry_rules():
    """microcredit/demo/households.py writes without the import; its data must pass the same rules."""
    from microcredit.demo.context import DEMO_ANCHOR
    from microcredit.demo.households import IdAllocator, make_household

    rng = random.Random(1)
    village = SimpleNamespace(code="411224100001", parent=SimpleNamespace(name="城关镇"), name="东关村")
    ids = IdAllocator("411224")
    for i in range(3000):
        household, members = make_household(rng, village=village, number=f"D{i}", groups=5, ids=ids,
                                             anchor=DEMO_ANCHOR)
        facts = HouseholdFacts(household["year_registered"], household["year_exited"],
                               household["income_per_head"], household["phone"])
        assert check_household(facts, today=DEMO_ANCHOR) == [], household
        for m in members:
            facts = MemberFacts(m["birth_date"], m["relation"], m["labour"], m["phone"])
            assert check_member(facts, today=DEMO_ANCHOR) == [], m


def test_an_id_number_excel_stored_as_a_number_is_reported_as_mangled_not_as_a_wrong_digit():
    tree = make_region_tree()
    rows = sample_rows(tree)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADERS)
    for i, row in enumerate(rows, start=1):
        values = [row[h] for h in HEADERS]
        if i == 1:  # what Excel keeps of an 18-digit ID typed into a number cell
            values[HEADERS.index("身份证号")] = float(row["身份证号"][:17] + "0")
        sheet.write_row(i, 0, values)
    book.close()
    parsed = parse_registry_file(filename="r.xlsx", data=out.getvalue(), scope=ALL)
    assert any(e.startswith("第2行 列身份证号：") and "科学计数法" in e for e in parsed.errors), parsed.errors
