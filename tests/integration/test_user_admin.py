"""User and role administration in the app (issue #11 §7, DOMAIN §1): the county office and the
administrator create, change, disable users and reset passwords at /account/users/ and
/api/v1/users — within their scope, every action audited, Django admin for superusers only."""

from __future__ import annotations

import pytest
from django.test import Client

from microcredit.apps.accounts.models import User
from microcredit.apps.accounts.services import UserAdminError, user_create
from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.regions.models import Region
from tests.factories import make_bank, make_region_tree, make_user

pytestmark = pytest.mark.django_db
USERS = "/account/users/"
API = "/api/v1/users"


@pytest.fixture
def world():
    tree = make_region_tree()
    other = Region.objects.create(code="411225000000", name="灵宝县", level="county", parent=tree.city)
    other_township = Region.objects.create(code="411225100000", name="函谷关镇", level="township", parent=other)
    other_village = Region.objects.create(code="411225100001", name="石门村", level="village", parent=other_township)
    county = make_user("county_office", [tree.county.prefix], username="county")
    stranger = make_user("village_station", [other_village.code], username="stranger")
    admin = make_user("admin", username="root", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(county)
    return {"tree": tree, "county": county, "stranger": stranger, "admin": admin, "client": client,
            "village": tree.villages[0], "other_village": other_village, "bank": make_bank()}


def create(w, **data):
    form = {"username": "clerk", "name": "张志强", "phone": "13800000000", "role": "village_station",
            "scope": [w["village"].code]} | data
    return w["client"].post(USERS + "new/", form)


def audited(action: str, user: User) -> AuditEntry:
    return AuditEntry.objects.filter(action=action, object_id=str(user.pk)).latest("pk")


def test_the_county_office_creates_a_village_clerk_who_signs_in_with_the_temporary_password(world):
    page = create(world)
    assert page.status_code == 200 and page["Cache-Control"].startswith("max-age=0")
    password = page.context["password"]
    assert password in page.content.decode() and "当面" in page.content.decode()
    clerk = User.objects.get(username="clerk")
    assert (clerk.role, clerk.scope_regions, clerk.get_full_name()) == ("village_station", [world["village"].code], "张志强")
    assert list(clerk.groups.values_list("name", flat=True)) == ["village_station"]
    assert Client().login(username="clerk", password=password)
    entry = audited("user.create", clerk)
    assert entry.actor == world["county"] and entry.after["role"] == "village_station"


def test_scope_is_picked_by_name_and_stored_as_prefixes(world):
    tree = world["tree"]
    form = world["client"].get(USERS + "new/").content.decode()
    assert "东关村" in form and "城关镇（全乡镇）" in form and "卢氏县" in form and "灵宝县" not in form
    create(world, username="tw", role="township_station", scope=[tree.townships[0].code])
    assert User.objects.get(username="tw").scope_regions == [tree.townships[0].prefix]
    create(world, username="bk", role="bank_officer", scope=[tree.county.code], bank=world["bank"].pk)
    assert User.objects.get(username="bk").scope_regions == [tree.county.prefix]


def test_the_list_shows_names_labels_and_region_names_never_codes(world):
    create(world, username="bk", name="刘芳", role="bank_officer", scope=[world["tree"].county.code], bank=world["bank"].pk)
    create(world)
    text = world["client"].get(USERS).content.decode()
    assert "卢氏县 › 城关镇 › 东关村" in text and "村金融服务室" in text and "卢氏县、卢氏农商银行" in text
    assert "village_station" not in text.split("<table")[1] and world["village"].code not in text
    assert "stranger" not in text and "root" not in text  # another county's user, the superuser
    assert world["client"].get(USERS, {"q": "张志"}).context["page"].paginator.count == 1
    assert world["client"].get(USERS, {"role": "bank_officer"}).context["page"].paginator.count == 1
    assert world["client"].get(USERS, {"active": "0"}).context["page"].paginator.count == 0


def test_the_county_office_cannot_create_an_admin_nor_assign_another_countys_village(world):
    page = create(world, role="admin")
    assert page.status_code == 200 and page.context["form"].errors["role"]
    page = create(world, scope=[world["other_village"].code])
    assert page.context["form"].errors["scope"]  # not even offered: the choice is refused
    with pytest.raises(UserAdminError) as refused:
        user_create(actor=world["county"], username="x", name="x", role="village_station",
                    scope=[world["other_village"].code])
    assert refused.value.errors == [("scope", "管辖范围：411225100001 不在您的管辖范围内")]  # not offered on the form
    assert not User.objects.filter(username__in=["clerk", "x"]).exists()


def test_users_of_another_county_cannot_be_seen_or_changed(world):
    pk = world["stranger"].pk
    client = world["client"]
    for url in (f"{USERS}{pk}/", f"{USERS}{pk}/active/", f"{USERS}{pk}/password/"):
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "x", "role": "village_station"}).status_code == 404
    assert client.get(f"{USERS}{world['admin'].pk}/").status_code == 404
    world["stranger"].refresh_from_db()
    assert world["stranger"].is_active and world["stranger"].check_password("pw-test-123")


def test_edit_changes_role_scope_and_bank_audited_and_groups_follow(world):
    create(world)
    clerk = User.objects.get(username="clerk")
    response = world["client"].post(f"{USERS}{clerk.pk}/", {
        "name": "张志强", "phone": "", "role": "township_station", "scope": [world["tree"].townships[0].code]})
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.role == "township_station" and clerk.scope_regions == [world["tree"].townships[0].prefix]
    assert list(clerk.groups.values_list("name", flat=True)) == ["township_station"]
    assert audited("user.role", clerk).after["role"] == "township_station"
    edit = world["client"].get(f"{USERS}{clerk.pk}/").content.decode()
    assert "selected" in edit.split("城关镇（全乡镇）")[0].rsplit("<option", 1)[1]


def test_disable_prevents_login_and_enable_restores_it_audited(world):
    create(world)
    clerk = User.objects.get(username="clerk")
    clerk.set_password("pw-clerk-123")
    clerk.save()
    confirm = world["client"].get(f"{USERS}{clerk.pk}/active/")
    assert "确定停用" in confirm.content.decode()
    assert world["client"].post(f"{USERS}{clerk.pk}/active/").status_code == 302
    assert not Client().login(username="clerk", password="pw-clerk-123")
    entry = audited("user.role", clerk)
    assert (entry.before, entry.after, entry.actor) == ({"is_active": True}, {"is_active": False}, world["county"])
    world["client"].post(f"{USERS}{clerk.pk}/active/")
    assert Client().login(username="clerk", password="pw-clerk-123")


def test_reset_password_changes_it_shows_it_once_and_is_audited(world):
    create(world)
    clerk = User.objects.get(username="clerk")
    assert "重置密码" in world["client"].get(f"{USERS}{clerk.pk}/password/").content.decode()
    page = world["client"].post(f"{USERS}{clerk.pk}/password/")
    password = page.context["password"]
    clerk.refresh_from_db()
    assert clerk.check_password(password) and password in page.content.decode()
    assert audited("user.password", clerk).actor == world["county"]


def test_the_county_office_cannot_widen_or_disable_itself(world):
    me = world["county"]
    client = world["client"]
    response = client.post(f"{USERS}{me.pk}/", {"name": "王建国", "role": "county_office", "scope": ["411225000000"]})
    assert response.status_code == 200 and response.context["form"].errors
    client.post(f"{USERS}{me.pk}/active/")
    client.post(f"{USERS}{me.pk}/password/")
    me.refresh_from_db()
    assert me.is_active and me.scope_regions == [world["tree"].county.prefix] and me.check_password("pw-test-123")
    assert client.post(f"{USERS}{me.pk}/", {"name": "王建国", "phone": "139", "role": "county_office",
                                            "scope": [world["tree"].county.code]}).status_code == 302


def test_roles_without_manage_users_are_refused_and_the_menu_shows_the_page(world):
    clerk = Client()
    clerk.force_login(make_user("village_station", [world["village"].code]))
    assert clerk.get(USERS).status_code == 403 and clerk.get(API).status_code == 403
    assert "用户管理" in world["client"].get("/").content.decode()


def test_django_admin_is_for_superusers_only_with_a_readable_header(world):
    assert world["client"].get("/admin/").status_code == 302
    staff = make_user("admin", username="staffer", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/").status_code == 302
    client.force_login(world["admin"])
    page = client.get("/admin/accounts/user/")
    assert page.status_code == 200 and "Microcredit 管理后台" in page.content.decode()
    assert "GET FULL NAME" not in page.content.decode().upper() and '["' not in page.content.decode()


def test_hostile_inputs_are_refused_never_500(world):
    client = world["client"]
    page = create(world, username="x" * 5000, name="名" * 5000, phone="1" * 5000)
    assert page.status_code == 200 and set(page.context["form"].errors) >= {"username", "name", "phone"}
    assert create(world, username="a b/c").context["form"].errors["username"]
    for bad in ("99999999999999999999", "0"):
        assert client.get(f"{USERS}{bad}/").status_code == 404
        assert client.get(f"{API}/{bad}").status_code in (404, 422)
    assert client.post(API, {"username": "u", "name": "x" * 5000, "role": "village_station"},
                       content_type="application/json").status_code == 422
    assert client.get(USERS, {"q": "x" * 5000, "role": "nope", "active": "2", "page": "x"}).status_code == 200


# --- the API ------------------------------------------------------------------------------------------


def test_api_create_get_patch_disable_enable_reset(world):
    client = world["client"]
    village = world["village"]
    created = client.post(API, {"username": "clerk", "name": "张志强", "role": "village_station",
                                "scope": [village.code]}, content_type="application/json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["role_label"] == "村金融服务室" and body["scope"] == [{"code": village.code, "name": "卢氏县 › 城关镇 › 东关村"}]
    assert Client().login(username="clerk", password=body["temporary_password"])
    pk = body["id"]
    assert "temporary_password" not in client.get(f"{API}/{pk}").json()
    listed = client.get(API, {"q": "clerk", "limit": 10}).json()
    assert listed["count"] == 1 and listed["results"][0]["username"] == "clerk"
    patched = client.patch(f"{API}/{pk}", {"role": "bank_officer", "scope": [world["tree"].county.code],
                                           "bank_id": world["bank"].pk}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["bank"] == "卢氏农商银行"
    assert client.post(f"{API}/{pk}/disable").json()["is_active"] is False
    assert client.post(f"{API}/{pk}/enable").json()["is_active"] is True
    reset = client.post(f"{API}/{pk}/reset-password").json()
    assert User.objects.get(pk=pk).check_password(reset["temporary_password"])
    actions = set(AuditEntry.objects.filter(object_id=str(pk), actor=world["county"]).values_list("action", flat=True))
    assert {"user.create", "user.role", "user.password", "user.groups"} <= actions


def test_api_refusals_name_the_field_and_out_of_scope_is_404(world):
    client = world["client"]
    refused = client.post(API, {"username": "c2", "name": "x", "role": "admin",
                                "scope": [world["other_village"].code]}, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["field"] == "role"
    assert [e["field"] for e in refused.json()["errors"]] == ["role", "scope"]
    assert client.get(f"{API}/{world['stranger'].pk}").status_code == 404
    assert client.post(f"{API}/{world['stranger'].pk}/disable").status_code == 404
    assert client.patch(f"{API}/{world['stranger'].pk}", {"name": "x"}, content_type="application/json").status_code == 404
    assert client.post(f"{API}/{world['county'].pk}/disable").status_code == 422
    assert "stranger" not in client.get(API).content.decode()


def test_the_administrator_sees_everyone_and_may_create_an_admin(world):
    client = Client()
    client.force_login(world["admin"])
    assert client.get(API).json()["count"] == User.objects.count()
    made = client.post(API, {"username": "admin2", "name": "孙伟", "role": "admin"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["role_label"] == "系统管理员"
