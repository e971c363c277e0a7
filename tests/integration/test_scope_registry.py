"""Scope: every registry read (list page, detail, export, API) stops at the user's regions;
bank officers cannot browse the registry at all."""

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tests.factories import make_bank, make_household, make_region_tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    tree = make_region_tree()
    own = make_household(tree.villages[0], head_name="本村户")
    sibling = make_household(tree.villages[1], head_name="邻村户")
    other = make_household(tree.villages[2], head_name="外镇户")
    return tree, own, sibling, other


def _list_names(client):
    html = client.get(reverse("households:list")).content.decode()
    return {n for n in ("本村户", "邻村户", "外镇户") if n in html}


def _export_numbers(client):
    response = client.get(reverse("households:export"))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content))).get_sheet_by_index(0).to_python()
    return {r[0] for r in rows[1:]}


def _api_numbers(client):
    return {r["number"] for r in client.get("/api/v1/households").json()["results"]}


def test_a_village_clerk_sees_only_the_own_village_everywhere(client, world):
    tree, own, sibling, other = world
    client.force_login(make_user("village_station", scope_regions=[tree.villages[0].prefix]))
    assert _list_names(client) == {"本村户"}
    assert client.get(reverse("households:detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("households:detail", args=[sibling.pk])).status_code == 404
    assert client.get(reverse("households:edit", args=[sibling.pk])).status_code == 404
    assert _export_numbers(client) == {own.number}
    assert _api_numbers(client) == {own.number}
    # filtering by another village does not widen the scope
    assert client.get("/api/v1/households", {"village": tree.villages[1].code}).json()["count"] == 0


def test_a_township_clerk_sees_both_villages_of_the_township(client, world):
    tree, own, sibling, other = world
    client.force_login(make_user("township_station", scope_regions=[tree.townships[0].prefix]))
    assert _list_names(client) == {"本村户", "邻村户"}
    assert _export_numbers(client) == {own.number, sibling.number}
    assert _api_numbers(client) == {own.number, sibling.number}
    assert client.get(reverse("households:detail", args=[other.pk])).status_code == 404


def test_a_user_without_regions_sees_nothing(client, world):
    client.force_login(make_user("county_office", scope_regions=[]))
    assert _list_names(client) == set()
    assert _api_numbers(client) == set()


def test_admin_is_unrestricted(client, world):
    client.force_login(make_user("admin"))
    assert _list_names(client) == {"本村户", "邻村户", "外镇户"}


@pytest.mark.parametrize("url_name", ["households:list", "households:export"])
def test_bank_officer_cannot_browse_the_registry(client, world, url_name):
    tree = world[0]
    client.force_login(make_user("bank_officer", scope_regions=[tree.county.prefix], bank=make_bank()))
    assert client.get(reverse(url_name)).status_code == 403


def test_bank_officer_gets_403_on_detail_and_api_list(client, world):
    tree, own, *_ = world
    client.force_login(make_user("bank_officer", scope_regions=[tree.county.prefix], bank=make_bank()))
    assert client.get(reverse("households:detail", args=[own.pk])).status_code == 403
    assert client.get("/api/v1/households").status_code == 403


def test_api_list_paginates_and_masks_for_auditors(client, world):
    tree, own, *_ = world
    for _ in range(3):
        make_household(tree.villages[0])
    client.force_login(make_user("auditor", scope_regions=[tree.county.prefix]))
    data = client.get("/api/v1/households", {"page": 2, "page_size": 2}).json()
    assert (data["count"], data["page"], data["page_size"], len(data["results"])) == (6, 2, 2, 2)
    row = client.get("/api/v1/households", {"q": "本村户"}).json()["results"][0]
    assert row["head_id_number"] != own.head_id_number and "*" in row["head_id_number"]
    assert "*" in row["phone"] and row["status_label"] == "贫困户" and row["income_per_head"] == "3500.00"


def test_api_list_shows_full_numbers_to_the_county_office(client, world):
    tree, own, *_ = world
    client.force_login(make_user("county_office", scope_regions=[tree.county.prefix]))
    row = client.get("/api/v1/households", {"q": own.number}).json()["results"][0]
    assert row["head_id_number"] == own.head_id_number


def test_anonymous_api_is_refused(client, world):
    assert client.get("/api/v1/households").status_code == 401
