"""Login lockout (django-axes, audited), audited role/permission changes, and the response headers
that keep pages private: CSP, Cache-Control no-store, API docs behind login (issue #9 §1, §3)."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from microcredit.apps.audit.models import AuditEntry
from tests.factories import make_household, make_region_tree, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "pw-test-123"


def web_login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def token_login(client, username, password):
    return client.post("/api/v1/auth/token", {"username": username, "password": password},
                       content_type="application/json")


# --- lockout -------------------------------------------------------------------------------------

def test_five_failed_web_logins_lock_the_username_on_that_address_and_are_audited():
    user = make_user("county_office", username="clerk")
    client = Client()
    for _ in range(4):
        assert web_login(client, "clerk", "wrong").status_code == 200  # the form again
    locked = web_login(client, "clerk", "wrong")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode() and locked["Retry-After"] == "900"
    # now even the right password is refused …
    assert web_login(client, "clerk", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # … from that address; the same user elsewhere is not locked out
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    assert web_login(elsewhere, "clerk", PASSWORD).status_code == 302
    failed = AuditEntry.objects.filter(action="auth.login_failed")
    assert failed.count() == 6 and failed.first().object_id == str(user.pk)
    assert "clerk" in failed.first().object_repr and "127.0.0.1" in failed.first().note
    assert AuditEntry.objects.filter(action="auth.locked_out", object_id=str(user.pk)).exists()


def test_the_token_endpoint_counts_failures_and_locks_in_chinese():
    make_user("bank_officer", username="bankapi")
    client = Client()
    codes = [token_login(client, "bankapi", "wrong").status_code for _ in range(5)]
    assert codes == [401] * 4 + [429]
    locked = token_login(client, "bankapi", PASSWORD)
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.json()["detail"] and int(locked["Retry-After"]) > 0
    assert AuditEntry.objects.filter(action="auth.login_failed").count() == 6
    assert AuditEntry.objects.filter(action="auth.locked_out").exists()


def test_failures_of_the_web_and_the_token_endpoint_add_up():
    make_user("bank_officer", username="mixed")
    client = Client()
    for _ in range(3):
        web_login(client, "mixed", "wrong")
    token_login(client, "mixed", "wrong")
    assert token_login(client, "mixed", "wrong").status_code == 429


def test_a_successful_login_resets_the_count():
    make_user("county_office", username="forgetful")
    client = Client()
    for _ in range(4):
        web_login(client, "forgetful", "wrong")
    assert web_login(client, "forgetful", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        assert web_login(client, "forgetful", "wrong").status_code == 200


def test_the_test_client_login_still_works():
    make_user("county_office", username="tester")
    assert Client().login(username="tester", password=PASSWORD)


# --- role and permission changes ---------------------------------------------------------------

def test_a_group_change_in_the_admin_is_audited_with_the_admin_as_actor(client):
    admin = make_user("admin", username="root", is_superuser=True, is_staff=True)
    clerk = make_user("village_station", username="clerk2")
    client.force_login(admin)
    page = client.get(reverse("admin:accounts_user_change", args=[clerk.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(username="clerk2", role="township_station", scope_regions='["411224100"]',
                date_joined_0="2026-01-01", date_joined_1="08:00:00", is_active="on")
    data.pop("groups", None), data.pop("user_permissions", None), data.pop("password", None)
    data.pop("last_login", None), data.pop("date_joined", None), data.pop("bank", None), data.pop("household", None)
    response = client.post(reverse("admin:accounts_user_change", args=[clerk.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    role_row = AuditEntry.objects.get(action="user.role", object_id=str(clerk.pk))
    assert role_row.actor == admin
    assert role_row.before == {"role": "village_station", "scope_regions": []}
    assert role_row.after == {"role": "township_station", "scope_regions": ["411224100"]}
    groups = AuditEntry.objects.filter(action="user.groups", object_id=str(clerk.pk), actor=admin)
    assert {"added": ["township_station"]} in [g.after for g in groups]
    assert {"removed": ["village_station"]} in [g.after for g in groups]


def test_group_and_permission_changes_from_any_side_are_audited():
    clerk = make_user("village_station", username="clerk3")
    auditors = Group.objects.get(name="auditor")
    before = AuditEntry.objects.count()
    auditors.user_set.add(clerk)  # reverse side
    clerk.user_permissions.add(Permission.objects.get(codename="verify_identity"))
    clerk.groups.clear()
    rows = list(AuditEntry.objects.order_by("id")[before:].values_list("action", "after"))
    assert rows == [
        ("user.groups", {"added": ["auditor"]}),
        ("user.permissions", {"added": ["verify_identity"]}),
        ("user.groups", {"removed": ["auditor", "village_station"]}),
    ]


def test_a_scope_change_saved_by_any_code_is_audited():
    clerk = make_user("bank_officer", username="clerk4", scope_regions=["411224"])
    clerk.scope_regions = ["41"]
    clerk.save()
    row = AuditEntry.objects.get(action="user.role", object_id=str(clerk.pk))
    assert (row.before, row.after) == ({"scope_regions": ["411224"]}, {"scope_regions": ["41"]})
    clerk.save(update_fields=["last_login"])  # logins do not write audit rows
    assert AuditEntry.objects.filter(action="user.role", object_id=str(clerk.pk)).count() == 1


# --- headers -------------------------------------------------------------------------------------

def test_pages_carry_a_strict_content_security_policy(client):
    client.force_login(make_user("county_office", username="csp"))
    for response in (client.get("/"), Client().get(reverse("login"))):
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "object-src 'none'" in policy
        script_src = re.search(r"script-src ([^;]*)", policy).group(1)
        assert "'unsafe-inline'" not in script_src and "http" not in script_src


def test_no_template_has_inline_event_handlers_or_scripts(client):
    # The CSP would block them: print buttons and charts use static files.
    from pathlib import Path

    import microcredit

    root = Path(microcredit.__file__).parent
    offenders = []
    for path in root.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\son[a-z]+=\"", text) or re.search(r"<script(?![^>]*\b(src|type=\"application/json\"))", text):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_signed_in_pages_and_exports_are_not_stored(client):
    tree = make_region_tree()
    make_household(tree.villages[0])
    client.force_login(make_user("county_office", username="nostore", scope_regions=[tree.county.prefix]))
    page = client.get(reverse("households:list"))
    export = client.get(reverse("households:export"))
    assert page.status_code == 200 and export.status_code == 200
    for response in (page, export):
        assert "no-store" in response["Cache-Control"]


def test_api_docs_need_a_login_and_load_nothing_from_other_hosts(client):
    for url in ("/api/v1/docs", "/api/v1/openapi.json"):
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]
    client.force_login(make_user("bank_officer", username="docs"))
    docs = client.get("/api/v1/docs")
    html = docs.content.decode()
    assert docs.status_code == 200
    assert "vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
