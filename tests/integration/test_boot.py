"""The application boots: login page renders, the API schema is served."""

import pytest

from tests.integration.helpers import user_with_role


@pytest.mark.django_db
def test_login_page_renders_in_chinese(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert "小额信贷管理系统" in response.content.decode()


@pytest.mark.django_db
def test_openapi_schema_is_served(client):
    assert client.get("/api/v1/openapi.json").status_code == 302  # behind the login (issue #9 §3)
    client.force_login(user_with_role("bank_officer"))
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Microcredit API"


@pytest.mark.django_db
def test_roles_exist_as_groups_after_migrate():
    from django.contrib.auth.models import Group

    from microcredit.apps.accounts.roles import ROLE_PERMISSIONS

    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_PERMISSIONS)


@pytest.mark.django_db
def test_english_follows_the_browser_and_the_switch(client):
    """zh-hans is the default; an English browser gets English (issue #11 §9); the switch's choice wins."""
    assert "登录" in client.get("/login/").content.decode()
    assert "Log in" in client.get("/login/", headers={"Accept-Language": "en"}).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    html = client.get("/login/").content.decode()
    assert "Log in" in html and "Username" in html
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    assert "登录" in client.get("/login/", headers={"Accept-Language": "en"}).content.decode()


@pytest.mark.django_db
def test_language_switch_is_offered_in_the_footer(client):
    html = client.get("/login/").content.decode()
    assert 'name="language" value="en"' in html and 'name="language" value="zh-hans"' in html
