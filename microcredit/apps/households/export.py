"""Excel export of the filtered household list (constant memory, masked per role) and the import template."""

from __future__ import annotations

from microcredit.apps.core.excel import ExportWorkbook, Money
from microcredit.apps.core.masking import mask_id_number, mask_phone
from microcredit.apps.households.models import Health, HouseholdStatus, LabourCapacity, Relation, SkillLevel
from microcredit.apps.households.registry_file import HEADERS, REQUIRED

COLUMNS = ["户编号", "乡镇", "行政村", "村民小组", "户主姓名", "户主身份证号", "户类型", "五保户", "低保户",
           "识别年度", "脱贫年度", "人均纯收入(元)", "联系电话", "人口数"]


def write_households_xlsx(queryset, see_identity: bool, report=None):
    """Write the rows to a temporary .xlsx file and return it (open, positioned at 0);
    `report(done, total)` every 1,000 rows (an export job's progress)."""
    total = queryset.count() if report else 0
    book = ExportWorkbook()
    sheet = book.sheet("农户")
    sheet.row(0, COLUMNS, book.bold)
    sheet.width(0, 0, 16)
    sheet.width(5, 5, 20)
    labels = dict(HouseholdStatus.choices)
    for i, h in enumerate(queryset.iterator(chunk_size=2000), start=1):
        sheet.row(i, [
            h.number, h.village.parent.name if h.village.parent_id else "", h.village.name, h.group_name,
            h.head_name, h.head_id_number if see_identity else mask_id_number(h.head_id_number),
            labels.get(h.status, h.status), h.is_wubao, h.is_dibao, h.year_registered, h.year_exited,
            Money(h.income_per_head), h.phone if see_identity else mask_phone(h.phone), h.member_count,
        ])
        if report and i % 1000 == 0:
            report(i, total)
    return book.finish()


def write_import_template():
    """An .xlsx with the import headers, one example row and a sheet of allowed values."""
    book = ExportWorkbook(constant_memory=False)
    sheet = book.sheet("档案")
    required, bold, text = book.format({"bold": True, "bg_color": "#FFF2CC"}), book.bold, book.format({"num_format": "@"})
    for j, header in enumerate(HEADERS):
        sheet.cell(0, j, header, required if header in REQUIRED else bold)
        sheet.width(j, j, 20 if header == "身份证号" else 12, text)
    example = ["H0001", "411224100001", "一组", "张三", "贫困户", "否", "否", "2015", "", "3500.00",
               "13800000000", "", "张三", "11010519491231002X", "户主", "普通劳动力", "有一定经验", "健康", ""]
    sheet.row(1, example, text)
    values = book.sheet("可选值")
    lists = [("户类型", HouseholdStatus), ("与户主关系", Relation), ("劳动能力", LabourCapacity),
             ("劳动技能", SkillLevel), ("健康状况", Health)]
    for j, (title, choices) in enumerate(lists):
        values.cell(0, j, title)
        for i, (_, label) in enumerate(choices.choices, start=1):
            values.cell(i, j, label)
    values.cell(0, 5, "五保户/低保户")
    values.cell(1, 5, "是")
    values.cell(2, 5, "否")
    return book.finish()
