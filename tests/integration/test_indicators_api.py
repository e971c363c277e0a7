"""GET /api/v1/monitoring/indicators (issue #12 item 7): shape, scope, hostile parameters (never a 500)."""

from __future__ import annotations

import datetime as dt

import pytest

from microcredit.apps.core.clock import pinned_business_date
from microcredit.apps.monitoring.close import run_close
from tests.batch.portfolio import County
from tests.factories import make_bank, make_user

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 6, 30)
URL = "/api/v1/monitoring/indicators"
FIELDS = {"region", "as_of", "households_eligible", "households_borrowed_ever", "access_rate", "loans_outstanding",
          "households_outstanding", "balance", "overdue_balance", "npl_balance", "overdue_ratio", "npl_ratio",
          "due_in_period", "repaid_on_time_in_period", "on_time_rate", "cumulative_amount", "cumulative_loans",
          "children"}


@pytest.fixture
def county():
    with pinned_business_date(AS_OF):
        c = County()
        c.loan(village=0, method="bullet", months=12, disbursed=dt.date(2025, 3, 10), principal=1_000_000)
        c.loan(village=2, method="bullet", months=12, disbursed=dt.date(2026, 1, 15), principal=2_000_000)
        run_close(dt.date(2026, 5, 31))
        run_close(AS_OF)
        yield c


def test_shape(county, client):
    client.force_login(county.county_user)
    r = client.get(URL, {"region": "411224000000", "as_of": "2026-06-30"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert FIELDS <= set(body)
    assert body["region"] == "411224000000" and body["as_of"] == "2026-06-30"
    assert body["balance"] == "30000.00" and body["npl_balance"] == "10000.00"
    assert body["npl_ratio"] == "0.3333" and body["overdue_ratio"] == "0.3333"
    assert body["on_time_rate"] is None and body["due_in_period"] == "0.00"
    assert body["cumulative_amount"] == "30000.00" and body["cumulative_loans"] == 2
    assert [c["region"] for c in body["children"]] == ["411224100000", "411224101000"]
    assert body["children"][1]["balance"] == "20000.00" and FIELDS <= set(body["children"][0])
    # the previous month end is kept; default date = the latest close
    assert client.get(URL, {"region": "411224000000", "as_of": "2026-05-31"}).status_code == 200
    assert client.get(URL, {"region": "411224000000"}).json()["as_of"] == "2026-06-30"
    by = client.get(URL, {"region": "411224000000", "by": "bank"}).json()
    assert [(g["group"], g["balance"]) for g in by["breakdown"]] == [("NSH", "30000.00")]
    ladder = client.get(URL + "/ladder", {"region": "411224000000"}).json()
    assert len(ladder) == 12 and ladder[6] == {"month": "2027-01", "first": "2027-01-01", "last": "2027-01-31",
                                               "principal": "20000.00", "loans": 1}


def test_scope(county, client):
    other = make_user("township_station", scope_regions=["411224101"])
    client.force_login(other)
    assert client.get(URL, {"region": "411224100000"}).status_code == 403
    assert client.get(URL, {"region": "411224000000"}).status_code == 403
    assert client.get(URL, {"region": "411224101000"}).json()["balance"] == "20000.00"
    village = make_user("village_station", scope_regions=["411224100001"])
    client.force_login(village)
    assert client.get(URL, {"region": "411224100002"}).status_code in (403, 404)
    client.force_login(county.officer)  # a bank officer: its own bank only
    make_bank("XYS", "卢氏信用社")
    assert client.get(URL, {"region": "411224000000", "bank": "XYS"}).status_code == 403
    assert client.get(URL, {"region": "411224000000", "bank": "NSH"}).status_code == 200
    client.logout()
    assert client.get(URL, {"region": "411224000000"}).status_code in (401, 403)


@pytest.mark.parametrize("params,field", [
    ({"region": "41122400000X"}, "region"),
    ({"region": "4" * 5000}, "region"),
    ({"region": ""}, "region"),
    ({"region": "411224000000", "as_of": "2026-13-45"}, "as_of"),
    ({"region": "411224000000", "as_of": "x" * 3000}, "as_of"),
    ({"region": "411224000000", "as_of": "2026-06-15"}, "as_of"),
    ({"region": "411224000000", "as_of": "1800-01-31"}, "as_of"),
    ({"region": "411224000000", "bank": "NOPE"}, "bank"),
    ({"region": "411224000000", "bank": "B" * 500}, "bank"),
    ({"region": "411224000000", "by": "colour"}, "by"),
    ({"region": "410000000000"}, "region"),
])
def test_hostile_parameters_are_chinese_422(county, client, params, field):
    client.force_login(county.county_user)
    r = client.get(URL, params)
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["field"] == field and any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])


def test_date_error_names_the_nearest_dates(county, client):
    client.force_login(county.county_user)
    body = client.get(URL, {"region": "411224000000", "as_of": "2026-06-15"}).json()
    assert "2026-05-31" in body["detail"] and "2026-06-30" in body["detail"]


def test_unknown_region_is_404(county, client):
    client.force_login(county.county_user)
    assert client.get(URL, {"region": "411224199000"}).status_code == 404
