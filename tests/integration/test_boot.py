"""The application boots: login page renders, the API schema is served."""

import pytest


@pytest.mark.django_db
def test_login_page_renders_in_chinese(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert "小额信贷管理系统" in response.content.decode()


@pytest.mark.django_db
def test_openapi_schema_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Microcredit API"


@pytest.mark.django_db
def test_roles_exist_as_groups_after_migrate():
    from django.contrib.auth.models import Group

    from microcredit.apps.accounts.roles import ROLE_PERMISSIONS

    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_PERMISSIONS)
