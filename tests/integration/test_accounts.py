"""Users, roles and scope: the role decides the group; scope narrows querysets by prefix."""

import pytest

from microcredit.apps.accounts.models import User
from microcredit.apps.accounts.navigation import menu_for
from microcredit.apps.accounts.scope import Scope
from microcredit.apps.accounts.services import user_save_role
from microcredit.apps.audit.models import AuditEntry
from tests.integration.helpers import user_with_role


@pytest.mark.django_db
def test_changing_the_role_moves_the_user_to_that_group_and_is_audited():
    user = user_with_role("village_station")
    user.role = "township_station"
    user.save()
    user_save_role(user=user, actor=None, before={"role": "village_station"})
    assert list(user.groups.values_list("name", flat=True)) == ["township_station"]
    assert AuditEntry.objects.filter(action="user.role", object_id=str(user.pk)).exists()


@pytest.mark.django_db
def test_scope_of_a_village_clerk_is_a_prefix_filter():
    user = user_with_role("village_station", scope_regions=["621221001001"])
    scope = Scope.of(user)
    assert scope.covers("621221001001") and not scope.covers("621221001002")
    for code in ("621221001001", "621221001002", "621221002001"):
        AuditEntry.objects.create(actor_label="t", action="t", object_type="t", object_id=code,
                                  object_repr=code, region_code=code)
    visible = scope.filter_regions(AuditEntry.objects.filter(action="t"), "region_code")
    assert list(visible.values_list("region_code", flat=True)) == ["621221001001"]


@pytest.mark.django_db
def test_a_user_with_no_scope_sees_nothing_and_admin_everything():
    nobody = User.objects.create_user(username="n", password="x")
    admin = User.objects.create_user(username="a", password="x", role="admin")
    assert not Scope.of(nobody).covers("621221001001")
    assert Scope.of(admin).unrestricted


@pytest.mark.django_db
def test_menu_shows_only_what_the_role_may_use():
    auditor_menu = dict(menu_for(user_with_role("auditor")))
    bank_menu = dict(menu_for(user_with_role("bank_officer")))
    assert any(label == "审计日志" for label, _ in auditor_menu.get("系统", []))
    assert not any(label == "审计日志" for label, _ in bank_menu.get("系统", []))


@pytest.mark.django_db
def test_menu_labels_follow_the_language():
    from django.utils import translation

    user = user_with_role("auditor")
    with translation.override("en"):
        menus = dict(menu_for(user))
    assert "System" in menus and ("Audit log", "/audit/") in menus["System"]
