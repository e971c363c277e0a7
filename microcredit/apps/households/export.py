"""Excel export of the filtered household list (XlsxWriter, constant memory, masked per role)."""

from __future__ import annotations

import tempfile

import xlsxwriter

from microcredit.apps.core.masking import mask_id_number, mask_phone
from microcredit.apps.households.models import HouseholdStatus

COLUMNS = ["户编号", "乡镇", "行政村", "村民小组", "户主姓名", "户主身份证号", "户类型", "五保户", "低保户",
           "识别年度", "脱贫年度", "人均纯收入(元)", "联系电话", "人口数"]


def write_households_xlsx(queryset, *, see_identity: bool):
    """Write the rows to a temporary .xlsx file and return it (open, positioned at 0)."""
    out = tempfile.TemporaryFile()
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = book.add_worksheet("农户")
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "0.00"})
    sheet.write_row(0, 0, COLUMNS, bold)
    sheet.set_column(0, 0, 16)
    sheet.set_column(5, 5, 20)
    labels = dict(HouseholdStatus.choices)
    for i, h in enumerate(queryset.iterator(chunk_size=2000), start=1):
        sheet.write_row(i, 0, [
            h.number, h.village.parent.name if h.village.parent_id else "", h.village.name, h.group_name,
            h.head_name, h.head_id_number if see_identity else mask_id_number(h.head_id_number),
            str(labels.get(h.status, h.status)), "是" if h.is_wubao else "否", "是" if h.is_dibao else "否",
            h.year_registered or "", h.year_exited or "",
        ])
        sheet.write_number(i, 11, h.income_per_head / 100, money)
        sheet.write_string(i, 12, h.phone if see_identity else mask_phone(h.phone))
        sheet.write_number(i, 13, h.member_count)
    book.close()
    out.seek(0)
    return out


def write_import_template():
    """An .xlsx with the import headers, one example row and a sheet of allowed values."""
    from microcredit.apps.households.models import Health, LabourCapacity, Relation, SkillLevel
    from microcredit.apps.households.registry_file import HEADERS, REQUIRED

    out = tempfile.TemporaryFile()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet("档案")
    required = book.add_format({"bold": True, "bg_color": "#FFF2CC"})
    text = book.add_format({"num_format": "@"})
    for j, header in enumerate(HEADERS):
        sheet.write_string(0, j, header, required if header in REQUIRED else book.add_format({"bold": True}))
        sheet.set_column(j, j, 20 if header == "身份证号" else 12, text)
    example = ["H0001", "411224100001", "一组", "张三", "贫困户", "否", "否", "2015", "", "3500.00",
               "13800000000", "", "张三", "11010519491231002X", "户主", "普通劳动力", "有一定经验", "健康", ""]
    sheet.write_row(1, 0, example, text)
    values = book.add_worksheet("可选值")
    for j, (title, choices) in enumerate([("户类型", HouseholdStatus), ("与户主关系", Relation),
                                           ("劳动能力", LabourCapacity), ("劳动技能", SkillLevel),
                                           ("健康状况", Health)]):
        values.write(0, j, title)
        values.write_column(1, j, [str(label) for _, label in choices.choices])
    values.write(0, 5, "五保户/低保户")
    values.write_column(1, 5, ["是", "否"])
    book.close()
    out.seek(0)
    return out
