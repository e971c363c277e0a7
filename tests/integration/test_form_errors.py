"""Forms (issue #11 §5): one way of showing a form and its errors (core/form.html) on every form page; a refused
upload is named with its reason and the other fields and files are kept; friendly uniqueness and ID messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microcredit.apps.core.masking import mask_id_number
from microcredit.apps.households.forms import HouseholdForm, MemberForm
from microcredit.apps.origination.models import LoanApplication
from tests.factories import make_bank, make_household, make_region_tree, make_user, next_id_number
from tests.integration.test_origination_web import world  # noqa: F401 — the fixture

pytestmark = pytest.mark.django_db
APPS = Path(__file__).resolve().parents[2] / "microcredit" / "apps"
PNG = b"\x89PNG\r\n\x1a\n0000"


def test_every_form_page_renders_its_form_through_the_one_template():
    """Every form that is posted (list filters are GET forms of the list component) uses core/form.html."""
    posted = re.compile(r'<form method="post".*?</form>', re.S)
    stock = re.compile(r"\.as_(p|div|table|ul)\b|\{% for \w+ in \w*form %\}|non_field_errors")
    offenders = [str(p.relative_to(APPS)) for p in APPS.glob("*/templates/**/*.html")
                 if any(stock.search(block) for block in posted.findall(p.read_text()))]
    assert offenders == []


def test_error_box_is_styled_and_names_the_field_and_the_field_is_marked(client):
    tree = make_region_tree()
    household = make_household(tree.villages[0])
    client.force_login(make_user("village_station", [tree.villages[0].prefix]))
    page = client.post(f"/households/{household.pk}/members/new/", {"name": "", "id_number": "123"}).content.decode()
    box = re.search(r'<div class="form-errors[^"]*" role="alert" style="[^"]*#b00020[^"]*">(.*?)</div>', page, re.S)
    assert box and "姓名" in box.group(1) and "身份证号" in box.group(1) and 'href="#id_id_number"' in box.group(1)
    field = re.search(r'<input[^>]*name="id_number"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="id_id_number_error"' in field
    assert re.search(r'id="id_id_number_error">身份证号：身份证号必须是18位', page)


def test_a_second_registration_of_an_id_number_says_where_masked_per_rights(client):
    tree = make_region_tree()
    first = make_household(tree.villages[0], head_name="张三")
    other_county = make_household(tree.villages[2], head_name="李四")
    taken = first.head_id_number
    clerk = make_user("village_station", [tree.villages[0].prefix])
    client.force_login(clerk)
    target = make_household(tree.villages[0])
    page = client.post(f"/households/{target.pk}/members/new/", {
        "name": "王五", "id_number": taken, "relation": "spouse", "labour": "normal", "skill": "none",
        "health": "healthy"}).content.decode()
    assert f"身份证号 {taken} 已登记在张三 户（户编号 {first.number}），同一人不能登记两次" in page
    assert "已存在" not in page
    # out of the user's scope: the household is not named
    form = MemberForm({"name": "x", "id_number": other_county.head_id_number}, user=clerk)
    assert not form.is_valid()
    assert "已登记在您辖区以外的一户" in form.errors["id_number"][0] and "李四" not in form.errors["id_number"][0]
    # without the right to see identities the number is masked
    auditor = make_user("auditor", [tree.county.prefix])
    form = MemberForm({"name": "x", "id_number": taken}, user=auditor)
    assert not form.is_valid() and f"身份证号 {mask_id_number(taken)} 已登记在张三 户" in form.errors["id_number"][0]
    # the household number too
    form = HouseholdForm({"number": first.number}, user=clerk)
    assert not form.is_valid() and form.errors["number"] == [f"户编号 {first.number} 已被张三 户（户编号 {first.number}）使用，请换一个户编号"]


def test_a_wrong_check_digit_is_said_not_answered_unregistered(client):
    tree = make_region_tree()
    good = next_id_number()
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    client.force_login(make_user("bank_officer", [tree.county.prefix], bank=make_bank()))
    page = client.post("/households/verify/", {"id_number": wrong}).content.decode()
    assert "校验位错误" in page and "未登记" not in page
    client.force_login(make_user("county_office", [tree.county.prefix]))
    page = client.post(f"/households/{make_household(tree.villages[0]).pk}/members/new/",
                       {"name": "x", "id_number": wrong}).content.decode()
    assert "身份证号校验位错误" in page


def test_a_refused_document_is_named_and_the_other_fields_and_files_are_kept(client, world):  # noqa: F811
    tree, hh, bank, users = world
    client.force_login(users["village"])
    url = f"/origination/new/{hh.pk}/"
    form = {"borrower": hh.members.get(relation="head").pk, "bank": bank.pk, "amount": "30000", "term_months": 36,
            "usage_mode": "self", "industry": "养殖", "purpose": "养殖肉牛",
            "id_card": SimpleUploadedFile("id.png", PNG, content_type="image/png"),
            "bank_card": SimpleUploadedFile("card.png", b"MZ\x90\x00program", content_type="image/png")}
    page = client.post(url, form).content.decode()
    assert not LoanApplication.objects.exists()
    assert "“card.png”未接受：材料只能是 PDF、JPG 或 PNG 文件" in page and "银行卡" in page
    assert 'value="养殖肉牛"' in page  # the other fields keep their values
    kept = re.search(r'name="id_card__kept" value="([^"]+)"', page)
    assert kept and "已保留“id.png”" in page  # the file that passed is kept
    form = {k: v for k, v in form.items() if k not in ("id_card", "bank_card")}
    form |= {"id_card__kept": kept.group(1), "bank_card": SimpleUploadedFile("card.pdf", b"%PDF-1.4 x")}
    assert client.post(url, form).status_code == 302
    app = LoanApplication.objects.get()
    assert sorted(d.kind for d in app.documents.all()) == ["bank_card", "id_card"]
    # a forged token is ignored, never read
    form |= {"id_card__kept": "kept/../../etc/passwd", "bank_card": SimpleUploadedFile("c.pdf", b"%PDF-1.4 x")}
    assert client.post(url, form).status_code in (200, 302)


def test_claim_evidence_refused_keeps_the_other_fields(client):
    tree = make_region_tree()
    client.force_login(make_user("bank_officer", [tree.county.prefix], bank=make_bank()))
    page = client.post("/funds/claims/new/", {
        "loan_number": "NOPE", "cause": "death", "collection_note": "三次上门催收",
        "evidence": SimpleUploadedFile("proof.exe", b"MZ\x90\x00")}).content.decode()
    assert "“proof.exe”未接受" in page and "三次上门催收" in page


def test_a_refused_spreadsheet_is_named_with_its_reason(client):
    tree = make_region_tree()
    client.force_login(make_user("county_office", [tree.county.prefix]))
    page = client.post("/households/import/", {"file": SimpleUploadedFile("档案.exe", b"MZ\x90\x00")})
    assert page.status_code == 400 and "“档案.exe”未接受：" in page.content.decode()
    client.force_login(make_user("bank_officer", [tree.county.prefix], bank=make_bank()))
    page = client.post("/loans/repayments/import/", {"file": SimpleUploadedFile("还款.exe", b"MZ\x90\x00")})
    assert "“还款.exe”未接受：" in page.content.decode() and 'aria-invalid="true"' in page.content.decode()
