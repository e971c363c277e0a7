"""Registry pages: list with filters, detail with members and timeline, edit through services
(audited), Excel export, masking per role, dashboard panel."""

import datetime as dt
import io

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.core.masking import mask_id_number
from microcredit.apps.households.dashboard import households_by_status_panel
from microcredit.apps.households.models import Household
from microcredit.apps.households.services import household_create, household_update, member_create, member_update
from microcredit.domain.errors import DomainError
from tests.factories import make_household, make_region_tree, make_user, next_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return make_region_tree()


@pytest.fixture
def county_user(tree):
    return make_user("county_office", scope_regions=[tree.county.prefix])


def test_list_filters_by_village_status_flags_and_search(client, tree, county_user):
    a = make_household(tree.villages[0], head_name="张三", status="poor")
    b = make_household(tree.villages[0], head_name="李四", status="exited", is_wubao=True)
    c = make_household(tree.villages[3], head_name="王五", status="edge", is_dibao=True, members=2)
    client.force_login(county_user)
    url = reverse("households:list")

    def shown(**params):
        html = client.get(url, params).content.decode()
        return {h.head_name for h in (a, b, c) if h.head_name in html}

    assert shown() == {"张三", "李四", "王五"}
    assert shown(village=tree.villages[0].code) == {"张三", "李四"}
    assert shown(township=tree.townships[1].code) == {"王五"}
    assert shown(status="exited") == {"李四"}
    assert shown(wubao="1") == {"李四"}
    assert shown(dibao="1") == {"王五"}
    assert shown(q="张") == {"张三"}
    member_id = c.members.exclude(relation="head").first().id_number
    assert shown(q=member_id) == {"王五"}


def test_list_paginates(client, tree, county_user):
    for _ in range(55):
        make_household(tree.villages[0])
    client.force_login(county_user)
    html = client.get(reverse("households:list")).content.decode()
    assert "共 55 户" in html and "第 1 / 2 页" in html


def test_detail_shows_facts_members_and_a_readable_timeline(client, tree, county_user):
    household = household_create(actor=county_user, village=tree.villages[0], number="X1", head_name="张三",
                                 status="poor", income_per_head=250000)
    member_create(actor=county_user, household=household, name="张三", id_number=next_id_number(), relation="head")
    member_create(actor=county_user, household=household, name="李梅", id_number=next_id_number(male=False),
                  relation="spouse")
    household_update(actor=county_user, household=household, status="exited", year_exited=2020)
    client.force_login(county_user)
    html = client.get(reverse("households:detail", args=[household.pk])).content.decode()
    assert "李梅" in html and "配偶" in html
    assert "修改农户信息" in html and "户类型 贫困户 → 已脱贫户" in html
    assert "新增家庭成员" in html and "建档" in html
    assert html.index("修改农户信息") < html.index("新增家庭成员")  # newest first


def test_services_audit_every_write_with_before_and_after(tree, county_user):
    household = household_create(actor=county_user, village=tree.villages[0], number="X2", head_name="甲",
                                 status="poor")
    head = member_create(actor=county_user, household=household, name="甲", id_number=next_id_number(),
                         relation="head")
    household.refresh_from_db()
    assert household.head_id_number == head.id_number
    member_update(actor=county_user, member=head, health="chronic")
    household_update(actor=county_user, household=household, phone="13900000000")
    household_update(actor=county_user, household=household, phone="13900000000")  # no change, no row
    actions = list(AuditEntry.objects.filter(household_id=household.pk).order_by("id").values_list("action", flat=True))
    assert actions == ["household.create", "member.create", "household.update", "member.update", "household.update"]
    last = AuditEntry.objects.filter(action="household.update").order_by("-id").first()
    assert last.before == {"phone": ""} and last.after == {"phone": "13900000000"} and last.actor == county_user


def test_edit_form_saves_through_the_service(client, tree, county_user):
    household = make_household(tree.villages[0], status="poor")
    client.force_login(county_user)
    url = reverse("households:edit", args=[household.pk])
    assert client.get(url).status_code == 200
    data = {"group_name": "二组", "head_name": household.head_name, "phone": household.phone, "address": "",
            "status": "exited", "year_registered": "2015", "year_exited": "2021", "income_yuan": "4200.00"}
    response = client.post(url, data)
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.status, household.income_per_head, household.group_name) == ("exited", 420000, "二组")
    assert AuditEntry.objects.filter(action="household.update", household_id=household.pk).exists()


def test_member_add_form_rejects_a_bad_id_number(client, tree, county_user):
    household = make_household(tree.villages[0])
    client.force_login(county_user)
    url = reverse("households:member_add", args=[household.pk])
    data = {"name": "新人", "id_number": "411224199001011235", "relation": "child", "labour": "full",
            "skill": "none", "health": "healthy", "phone": ""}
    response = client.post(url, data)
    assert response.status_code == 200 and "校验位错误" in response.content.decode()
    data["id_number"] = next_id_number()
    assert client.post(url, data).status_code == 302
    assert household.members.filter(name="新人").exists()
    assert AuditEntry.objects.filter(action="member.create", household_id=household.pk).exists()


def test_auditor_sees_masked_numbers_and_cannot_edit(client, tree):
    household = make_household(tree.villages[0])
    auditor = make_user("auditor", scope_regions=[tree.county.prefix])
    client.force_login(auditor)
    html = client.get(reverse("households:list")).content.decode()
    assert household.head_id_number not in html and mask_id_number(household.head_id_number) in html
    assert household.phone not in html
    detail = client.get(reverse("households:detail", args=[household.pk])).content.decode()
    assert household.head_id_number not in detail
    assert client.get(reverse("households:edit", args=[household.pk])).status_code == 403


def test_county_office_sees_full_numbers(client, tree, county_user):
    household = make_household(tree.villages[0])
    client.force_login(county_user)
    assert household.head_id_number in client.get(reverse("households:list")).content.decode()


def _export_rows(client, params=None):
    response = client.get(reverse("households:export"), params or {})
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def test_export_has_the_filtered_rows_masked_per_role(client, tree, county_user):
    a = make_household(tree.villages[0], status="poor")
    make_household(tree.villages[1], status="exited")
    client.force_login(county_user)
    rows = _export_rows(client, {"status": "poor"})
    assert rows[0][0] == "户编号" and len(rows) == 2
    assert rows[1][0] == a.number and rows[1][5] == a.head_id_number
    client.force_login(make_user("auditor", scope_regions=[tree.county.prefix]))
    rows = _export_rows(client)
    assert len(rows) == 3 and all("*" in r[5] for r in rows[1:])


def test_dashboard_panel_is_one_query_scoped_and_shown(client, tree, county_user):
    make_household(tree.villages[0], status="poor")
    make_household(tree.villages[1], status="poor")
    make_household(tree.villages[2], status="exited")
    with CaptureQueriesContext(connection) as ctx:
        panel = households_by_status_panel(county_user, Scope.of(county_user))
    assert len([q for q in ctx.captured_queries if "households_household" in q["sql"]]) == 1
    assert [(r["name"], r["total"]) for r in panel["rows"]] == [("城关镇", 2), ("东明镇", 1)]
    assert panel["rows"][0]["cells"][0][1] == 2 and panel["grand_total"] == 3
    clerk = make_user("village_station", scope_regions=[tree.villages[2].prefix])
    assert households_by_status_panel(clerk, Scope.of(clerk))["grand_total"] == 1
    bank = make_user("bank_officer", scope_regions=[tree.county.prefix])
    assert households_by_status_panel(bank, Scope.of(bank)) is None
    client.force_login(county_user)
    html = client.get(reverse("dashboard")).content.decode()
    assert "各乡镇农户户类型分布" in html and 'class="chart"' in html


def test_household_create_page(client, tree, county_user):
    client.force_login(county_user)
    response = client.post(reverse("households:create"), {
        "number": "N-1", "village": tree.villages[0].code, "group_name": "", "head_name": "新户",
        "phone": "", "address": "", "status": "monitored", "income_yuan": "1000"})
    assert response.status_code == 302
    household = Household.objects.get(number="N-1")
    assert household.region_code == tree.villages[0].code
    assert AuditEntry.objects.filter(action="household.create", household_id=household.pk).exists()


def test_timeline_masks_identity_for_auditors(client, tree, county_user):
    household = household_create(actor=county_user, village=tree.villages[0], number="X3", head_name="丙",
                                 status="poor", phone="13711112222")
    head_id = next_id_number()
    member_create(actor=county_user, household=household, name="丙", id_number=head_id, relation="head")
    client.force_login(make_user("auditor", scope_regions=[tree.county.prefix]))
    html = client.get(reverse("households:detail", args=[household.pk])).content.decode()
    assert "新增家庭成员" in html
    assert head_id not in html and "13711112222" not in html
    client.force_login(county_user)
    assert head_id in client.get(reverse("households:detail", args=[household.pk])).content.decode()


def test_import_page_renders_the_format_and_recent_jobs(client, tree, county_user):
    client.force_login(county_user)
    html = client.get(reverse("households:import")).content.decode()
    assert "户编号* 行政村代码*" in html and 'enctype="multipart/form-data"' in html


@pytest.mark.django_db
def test_household_page_shows_credit_and_loans_sections_and_apply_link(client):
    from tests.factories import make_household, make_region_tree, make_user

    tree = make_region_tree()
    household = make_household(tree.villages[0])
    clerk = make_user("village_station", scope_regions=[tree.villages[0].code])
    client.force_login(clerk)
    html = client.get(f"/households/{household.pk}/").content.decode()
    assert "评级授信" in html and "尚未评级授信" in html
    assert f"/origination/new/{household.pk}/" in html and "暂无贷款" in html


# --- the registry's plausibility rules on every write path (issue 8 §2) ------------------------

TODAY = dt.date(2026, 12, 3)


def test_services_refuse_impossible_values_and_write_nothing(tree, county_user):
    household = make_household(tree.villages[0], year_registered=2015)
    audits = AuditEntry.objects.count()
    with pinned_business_date(TODAY), pytest.raises(DomainError) as refused:
        household_update(actor=county_user, household=household, year_registered=2030, phone="12345")
    assert "识别年度2030不合理" in refused.value.message and "“12345”" in refused.value.message
    with pinned_business_date(TODAY), pytest.raises(DomainError, match="出生日期2030-05-01晚于今天"):
        member_create(actor=county_user, household=household, name="未来", relation="child",
                      id_number=next_id_number(born=dt.date(2030, 5, 1)))
    with pinned_business_date(TODAY), pytest.raises(DomainError, match="未满16周岁"):
        member_create(actor=county_user, household=household, name="小孩", relation="child", labour="full",
                      id_number=next_id_number(born=dt.date(2016, 6, 1)))
    with pinned_business_date(TODAY), pytest.raises(DomainError, match="识别年度2013不合理"):
        household_create(actor=county_user, village=tree.villages[0], number="Y1", head_name="小", status="poor",
                         year_registered=2013)
    household.refresh_from_db()
    assert household.year_registered == 2015 and household.members.count() == 1
    assert AuditEntry.objects.count() == audits and not Household.objects.filter(number="Y1").exists()


def test_a_head_must_be_16_and_a_new_child_gets_no_labour_by_default(tree, county_user):
    household = make_household(tree.villages[0])
    with pinned_business_date(TODAY):
        child = member_create(actor=county_user, household=household, name="小孩", relation="child",
                              id_number=next_id_number(born=dt.date(2016, 6, 1)))
        assert child.labour == "none"
        with pytest.raises(DomainError, match="户主须年满16周岁（出生于2016-06-01，现10岁）"):
            member_update(actor=county_user, member=child, relation="head")
        member_update(actor=county_user, member=child, health="chronic")  # unrelated change: allowed


def test_the_household_form_shows_every_rule_and_saves_nothing(client, tree, county_user):
    household = make_household(tree.villages[0], status="poor")
    client.force_login(county_user)
    data = {"group_name": "", "head_name": household.head_name, "phone": "12345", "address": "",
            "status": "exited", "year_registered": "2019", "year_exited": "2030", "income_yuan": "2000000"}
    with pinned_business_date(TODAY):
        response = client.post(reverse("households:edit", args=[household.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "脱贫年度2030不合理" in html and "“12345”不是有效号码" in html and "人均纯收入2000000.00元不合理" in html
    household.refresh_from_db()
    assert household.status == "poor" and household.year_exited is None


def test_the_household_form_stores_a_full_width_phone_normalised(client, tree, county_user):
    household = make_household(tree.villages[0])
    client.force_login(county_user)
    data = {"group_name": "", "head_name": household.head_name, "phone": "１３９ ００００ ２２２２", "address": "",
            "status": "poor", "year_registered": "2015", "year_exited": "", "income_yuan": "3500"}
    assert client.post(reverse("households:edit", args=[household.pk]), data).status_code == 302
    household.refresh_from_db()
    assert household.phone == "13900002222"


def test_the_member_form_refuses_a_future_birth_and_a_working_child(client, tree, county_user):
    household = make_household(tree.villages[0])
    client.force_login(county_user)
    url = reverse("households:member_add", args=[household.pk])
    data = {"name": "新人", "id_number": next_id_number(born=dt.date(2030, 5, 1)), "relation": "child",
            "labour": "full", "skill": "none", "health": "healthy", "phone": ""}
    with pinned_business_date(TODAY):
        html = client.post(url, data).content.decode()
        assert "出生日期2030-05-01晚于今天" in html
        data["id_number"] = next_id_number(born=dt.date(2016, 6, 1))
        html = client.post(url, data).content.decode()
        assert "不能登记为“普通劳动力”" in html
        data["labour"] = "none"
        assert client.post(url, data).status_code == 302
    assert household.members.filter(name="新人", labour="none").exists()


@pytest.mark.parametrize("fields", [{"income_per_head": -1}, {"income_per_head": 100_000_001},
                                    {"year_registered": 2013}, {"year_registered": 2019, "year_exited": 2016}])
def test_the_database_refuses_what_no_rule_allows(tree, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.create(number="Z1", village=tree.villages[0], region_code=tree.villages[0].code,
                                 head_name="甲", head_id_number=next_id_number(), status="poor", **fields)
