"""The households list's page query (issue #15 §4): no GROUP BY over every household in scope before the
LIMIT; the member count is read for the fetched rows only (one `household_id IN (…)` query per batch),
and it equals the real count on the page, the API and the export's streamed rows."""

import re

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from microcredit.apps.households import selectors
from microcredit.apps.households.models import Household, Member
from microcredit.apps.households.selectors import household_list
from tests.factories import make_household, make_region_tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return make_region_tree()


@pytest.fixture
def county_user(tree):
    return make_user("county_office", scope_regions=[tree.county.prefix])


@pytest.fixture
def households(tree):
    return [make_household(tree.villages[i % len(tree.villages)], members=i % 4) for i in range(12)]


def real_counts() -> dict[int, int]:
    return {h.pk: Member.objects.filter(household=h).count() for h in Household.objects.all()}


def test_page_query_has_no_group_by_and_no_member_join(county_user, households):
    qs = household_list(user=county_user)
    sql = str(qs.query)
    assert "GROUP BY" not in sql.upper()
    assert "households_member" not in sql  # not joined, not a sub-select per row
    with CaptureQueriesContext(connection) as cq:
        page = Paginator(qs, 5).get_page(2)
        rows = list(page.object_list)
    assert len(rows) == 5
    count_sql, page_sql, members_sql = (q["sql"] for q in cq.captured_queries)
    assert "GROUP BY" not in count_sql.upper() and "households_member" not in count_sql
    assert "GROUP BY" not in page_sql.upper() and "households_member" not in page_sql
    assert re.search(r"LIMIT 5", page_sql)
    # the one member read is bounded by the page's ids (grouped over those rows only)
    assert '"household_id" IN (' in members_sql
    assert sorted(int(x) for x in re.search(r"IN \(([^)]*)\)", members_sql).group(1).split(",")) == \
        sorted(h.pk for h in rows)


def test_member_counts_equal_real_counts_on_every_page_and_filter(tree, county_user, households):
    real = real_counts()
    for filters in ({}, {"township": tree.townships[1].code}, {"village": tree.villages[0].code},
                    {"status": "poor"}, {"q": households[3].members.exclude(relation="head").first().id_number}):
        paginator = Paginator(household_list(user=county_user, **filters), 5)
        seen = []
        for number in paginator.page_range:
            seen += [(h.pk, h.member_count) for h in paginator.page(number).object_list]
        assert seen and all(n == real[pk] for pk, n in seen), filters
        assert len(seen) == len({pk for pk, _ in seen}) == paginator.count


def test_township_filter_matches_the_prefix_exactly(tree, county_user, households):
    for township in tree.townships:
        got = set(household_list(user=county_user, township=township.code).values_list("pk", flat=True))
        assert got == {h.pk for h in households if h.region_code.startswith(township.code[:9])}
        assert got


def test_ordering_and_scope_unchanged(tree, county_user, households):
    outsider = make_user("village_station", scope_regions=[tree.villages[1].prefix])
    got = [h.pk for h in household_list(user=county_user)]
    assert got == list(Household.objects.order_by("region_code", "number").values_list("pk", flat=True))
    assert {h.village_id for h in household_list(user=outsider)} == {tree.villages[1].code}


def test_streamed_rows_carry_counts_across_batches(county_user, households, monkeypatch):
    """The export iterates in chunks: every batch of fetched rows gets its counts (small batch to cross)."""
    monkeypatch.setattr(selectors, "CHUNK", 4)
    real = real_counts()
    rows = list(household_list(user=county_user).iterator(chunk_size=3))
    assert len(rows) == len(households)
    assert all(h.member_count == real[h.pk] for h in rows)


def test_page_and_api_show_real_counts_in_constant_queries(client, tree, county_user, households):
    client.force_login(county_user)
    real = real_counts()
    data = client.get("/api/v1/households", {"page_size": 200}).json()
    assert data["count"] == len(households)
    assert {r["id"]: r["member_count"] for r in data["results"]} == real
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("households:list")).status_code == 200
    for village in tree.villages:
        for _ in range(3):
            make_household(village, members=2)
    with CaptureQueriesContext(connection) as more:
        assert client.get(reverse("households:list")).status_code == 200
    assert len(more.captured_queries) == len(few.captured_queries)
