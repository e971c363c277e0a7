"""Regions: the CSV import (validated, all-or-nothing, idempotent, audited), tree page, API."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.regions.models import Region
from microcredit.apps.regions.services import import_regions, read_regions_csv
from tests.factories import make_household, make_region_tree, make_user

GOOD_CSV = """代码,名称,上级代码
410000000000,河南省,
411200000000,三门峡市,410000000000
411224000000,卢氏县,411200000000
411224100000,城关镇,411224000000
411224100001,东关村,411224100000
411224100002,西关村,411224100000
"""

pytestmark = pytest.mark.django_db


def test_import_creates_the_tree_with_one_audit_row_per_region():
    result = import_regions(rows=read_regions_csv(GOOD_CSV.encode("utf-8-sig")), actor=None)
    assert result.ok and result.created == 6
    assert Region.objects.get(code="411224100001").parent_id == "411224100000"
    assert Region.objects.get(code="411224100001").level == "village"
    assert AuditEntry.objects.filter(action="region.create").count() == 6


def test_reimporting_the_same_file_changes_nothing():
    import_regions(rows=read_regions_csv(GOOD_CSV), actor=None)
    audits = AuditEntry.objects.count()
    result = import_regions(rows=read_regions_csv(GOOD_CSV), actor=None)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 6)
    assert AuditEntry.objects.count() == audits


def test_a_renamed_region_is_updated_in_place_and_audited():
    import_regions(rows=read_regions_csv(GOOD_CSV), actor=None)
    result = import_regions(rows=read_regions_csv(GOOD_CSV.replace("西关村", "西关新村")), actor=None)
    assert (result.created, result.updated) == (0, 1)
    entry = AuditEntry.objects.get(action="region.update")
    assert entry.before == {"name": "西关村", "level": "village", "parent_id": "411224100000"}
    assert entry.after["name"] == "西关新村"


def test_english_headers_and_parent_rows_after_children_are_accepted():
    rows = [{"code": "411224100001", "name": "东关村", "parent_code": "411224100000"},
            {"code": "411224100000", "name": "城关镇", "parent_code": "411224000000"},
            {"code": "411224000000", "name": "卢氏县", "parent_code": "411200000000"},
            {"code": "411200000000", "name": "三门峡市", "parent_code": "410000000000"},
            {"code": "410000000000", "name": "河南省", "parent_code": ""}]
    assert import_regions(rows=rows, actor=None).created == 5


@pytest.mark.parametrize("bad_line, expected", [
    ("411224101001,东明村,411224100000", "第8行 列代码：区划代码411224101001必须以上级代码前缀411224100开头"),
    ("411224100003,北关村,411224000000", "第8行 列代码：县的下级应为乡镇，而代码411224100003是行政村级"),
    ("41122410000,坏村,411224100000", "第8行 列代码：区划代码必须是12位数字（组为15位）"),
    ("411224100003,,411224100000", "第8行 列名称：不能为空"),
    ("411224100001,重复村,411224100000", "第8行 列代码：代码411224100001与第6行重复"),
    ("411224102001,孤村,411224102000", "第8行 列上级代码：上级区划411224102000不存在"),
    ("411224000001,县,", "第8行 列上级代码：行政村级区划必须有上级区划"),
    ("４１１２２４１００００３,全角村,411224100000", "第8行 列代码：区划代码必须是半角数字"),
])
def test_one_bad_row_names_row_column_rule_and_nothing_is_written(bad_line, expected):
    csv_text = GOOD_CSV + bad_line + "\n"
    result = import_regions(rows=read_regions_csv(csv_text), actor=None)
    assert expected in result.errors
    assert Region.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_management_command_imports_and_refuses_bad_files(tmp_path, capsys):
    good = tmp_path / "regions.csv"
    good.write_text(GOOD_CSV, encoding="utf-8-sig")
    call_command("import_regions", str(good))
    assert Region.objects.count() == 6
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD_CSV + "411224199001,错,411224100000\n", encoding="utf-8")
    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_regions", str(bad))


def test_tree_page_shows_townships_and_counts_within_scope(client):
    tree = make_region_tree()
    make_household(tree.villages[0])
    make_household(tree.villages[0])
    make_household(tree.villages[2])
    clerk = make_user("township_station", scope_regions=[tree.townships[0].prefix])
    client.force_login(clerk)
    html = client.get(reverse("regions:tree")).content.decode()
    assert "城关镇" in html and "东关村" in html and "西关村" in html
    assert "东明镇" not in html and "南沟村" not in html
    assert "农户 2 户" in html
    assert "导入区划" not in html  # no core.manage_regions


def test_county_office_can_import_through_the_page(client):
    make_region_tree()
    officer = make_user("county_office", scope_regions=["411224"])
    client.force_login(officer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("r.csv", "代码,名称,上级代码\n411224100003,北关村,411224100000\n".encode())
    response = client.post(reverse("regions:import"), {"file": upload})
    assert response.status_code == 302
    assert Region.objects.filter(code="411224100003").exists()
    assert AuditEntry.objects.get(action="region.create").actor == officer
    bad = SimpleUploadedFile("r.csv", "代码,名称,上级代码\n411224100004,,411224100000\n".encode())
    response = client.post(reverse("regions:import"), {"file": bad})
    assert response.status_code == 400 and "列名称：不能为空" in response.content.decode()


def test_township_clerk_cannot_import(client):
    tree = make_region_tree()
    client.force_login(make_user("township_station", scope_regions=[tree.townships[0].prefix]))
    assert client.post(reverse("regions:import")).status_code == 403


def test_api_tree_and_list_are_scoped(client):
    tree = make_region_tree()
    make_household(tree.villages[1])
    client.force_login(make_user("village_station", scope_regions=[tree.villages[1].prefix]))
    data = client.get("/api/v1/regions/tree").json()["results"]
    county = data[0]
    assert county["name"] == "卢氏县" and county["households"] == 1
    assert [t["name"] for t in county["children"]] == ["城关镇"]
    assert [v["name"] for v in county["children"][0]["children"]] == ["西关村"]
    listed = client.get("/api/v1/regions/").json()
    assert [r["code"] for r in listed["results"]] == [tree.villages[1].code]
