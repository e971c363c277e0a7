"""Reference data: shipped rates and eras, versioned revisions with audit, selectors, permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.reference import selectors, services
from microcredit.apps.reference.models import PolicyEra, ReferenceRate
from microcredit.domain.rates import SHIPPED_RATES, cap_rate

pytestmark = pytest.mark.django_db


def _user(django_user_model, username: str, role: str):
    user = django_user_model.objects.create_user(username=username, password="pw", role=role)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def county_user(django_user_model):
    return _user(django_user_model, "county", "county_office")


@pytest.fixture
def bank_user(django_user_model):
    return _user(django_user_model, "bank", "bank_officer")


# --- shipped data ---------------------------------------------------------------------------

def test_migration_ships_every_domain_fixing():
    rows = {(r.kind, r.tenor, r.effective_from): r.rate for r in ReferenceRate.objects.current()}
    assert len(rows) == len(SHIPPED_RATES)
    for f in SHIPPED_RATES:
        assert rows[(f.kind, f.tenor, f.effective_from)] == f.rate
    assert rows[("benchmark", "1y", dt.date(2015, 10, 24))] == Decimal("4.3500")
    assert rows[("lpr", "5y", dt.date(2025, 5, 20))] == Decimal("3.5000")


def test_migration_ships_three_policy_eras():
    eras = list(PolicyEra.objects.current().order_by("effective_from"))
    assert [(e.code, e.effective_from, e.max_amount, e.rate_basis) for e in eras] == [
        ("fupin2014", dt.date(2014, 1, 1), 5_000_000, "benchmark"),
        ("tuopin2021", dt.date(2021, 1, 1), 5_000_000, "lpr"),
        ("bangfu2026", dt.date(2026, 1, 1), 10_000_000, "setting"),
    ]
    assert eras[0].eligible_statuses == ["poor", "exited"]
    assert eras[0].subsidy_ratio == Decimal("1")
    assert "general" in eras[2].eligible_statuses and eras[2].cap_rate == Decimal("3.0000")
    assert all((e.min_age, e.max_age, e.max_term_months) == (18, 65, 36) for e in eras)


# --- selectors ------------------------------------------------------------------------------

def test_current_fixings_feed_the_domain_cap_rate():
    fixings = selectors.current_rate_fixings()
    assert set(fixings) == set(SHIPPED_RATES)
    assert cap_rate(dt.date(2021, 2, 28), 36, fixings) == Decimal("4.75")
    assert cap_rate(dt.date(2024, 10, 20), 12, fixings) == Decimal("3.35")
    assert cap_rate(dt.date(2024, 10, 21), 12, fixings) == Decimal("3.10")


@pytest.mark.parametrize("day, code", [
    (dt.date(2013, 12, 31), None),
    (dt.date(2014, 1, 1), "fupin2014"),
    (dt.date(2020, 12, 31), "fupin2014"),
    (dt.date(2021, 1, 1), "tuopin2021"),
    (dt.date(2025, 12, 31), "tuopin2021"),
    (dt.date(2026, 1, 1), "bangfu2026"),
])
def test_policy_era_on_edge_dates(day, code):
    era = selectors.policy_era_on(day)
    assert (era.code if era else None) == code


# --- services -------------------------------------------------------------------------------

def test_revising_a_rate_keeps_history_and_audits(county_user):
    old = ReferenceRate.objects.current().get(kind="lpr", tenor="1y", effective_from=dt.date(2025, 5, 20))
    new = services.reference_rate_revise(rate_row=old, new_rate=Decimal("3.0500"), actor=county_user,
                                         reason="录入错误更正")
    old.refresh_from_db()
    assert old.rate == Decimal("3.0000") and old.superseded_by_id == new.pk
    history = list(selectors.rate_history("lpr", "1y").filter(effective_from=dt.date(2025, 5, 20)))
    assert [h.rate for h in history] == [Decimal("3.0000"), Decimal("3.0500")]
    assert cap_rate(dt.date(2025, 6, 1), 12, selectors.current_rate_fixings()) == Decimal("3.05")
    entry = AuditEntry.objects.get(action="reference_rate.revise")
    assert entry.actor == county_user
    assert entry.before["rate"] == "3.0000" and entry.after["rate"] == "3.0500"
    assert entry.note == "录入错误更正"


def test_revising_a_superseded_rate_is_refused(county_user):
    from django.core.exceptions import ValidationError

    old = ReferenceRate.objects.current().get(kind="benchmark", tenor="1y")
    services.reference_rate_revise(rate_row=old, new_rate=Decimal("4.3600"), actor=county_user, reason="x")
    with pytest.raises(ValidationError):
        services.reference_rate_revise(rate_row=old, new_rate=Decimal("4.3700"), actor=county_user, reason="y")


def test_recording_a_new_fixing(county_user):
    services.reference_rate_record(kind="lpr", tenor="1y", effective_from=dt.date(2026, 6, 22),
                                   rate=Decimal("2.9000"), actor=county_user, reason="新报价")
    fixings = selectors.current_rate_fixings()
    assert cap_rate(dt.date(2026, 6, 21), 12, fixings) == Decimal("3.00")
    assert cap_rate(dt.date(2026, 6, 22), 12, fixings) == Decimal("2.90")
    assert AuditEntry.objects.filter(action="reference_rate.record", actor=county_user).count() == 1


def test_policy_era_revise_creates_a_new_version(county_user):
    era = PolicyEra.objects.current().get(code="bangfu2026")
    new = services.policy_era_revise(era=era, actor=county_user, reason="县政府文件", cap_rate=Decimal("3.4500"))
    assert selectors.policy_era_on(dt.date(2026, 5, 1)) == new
    assert new.cap_rate == Decimal("3.4500") and new.max_amount == 10_000_000
    era.refresh_from_db()
    assert era.superseded_by_id == new.pk and era.cap_rate == Decimal("3.0000")
    entry = AuditEntry.objects.get(action="policy_era.revise")
    assert entry.before["cap_rate"] == "3.0000" and entry.after["cap_rate"] == "3.4500"


# --- pages ----------------------------------------------------------------------------------

def test_pages_render_with_history_struck_through(client, county_user):
    old = ReferenceRate.objects.current().get(kind="benchmark", tenor="1-5y")
    services.reference_rate_revise(rate_row=old, new_rate=Decimal("4.8000"), actor=county_user, reason="测试")
    client.force_login(county_user)
    page = client.get("/reference/rates/").content.decode()
    assert "<s title=\"已被修订\">4.7500</s>" in page and "4.8000" in page
    assert "录入新利率" in page
    assert "帮扶小额信贷" in client.get("/reference/eras/").content.decode()
    assert client.get("/reference/banks/").status_code == 200


def test_rate_form_needs_manage_reference(client, bank_user, county_user):
    client.force_login(bank_user)
    assert "录入新利率" not in client.get("/reference/rates/").content.decode()
    data = {"kind": "lpr", "tenor": "1y", "effective_from": "2026-07-20", "rate": "2.8", "reason": ""}
    assert client.post("/reference/rates/new/", data).status_code == 403
    row = ReferenceRate.objects.current().first()
    assert client.post(f"/reference/rates/{row.pk}/revise/", {"rate": "1", "reason": "x"}).status_code == 403
    era = PolicyEra.objects.current().first()
    assert client.get(f"/reference/eras/{era.pk}/edit/").status_code == 403
    client.force_login(county_user)
    assert client.post("/reference/rates/new/", data).status_code == 302
    assert ReferenceRate.objects.current().filter(effective_from=dt.date(2026, 7, 20)).exists()


def test_rate_form_refuses_wrong_tenor_and_duplicates(client, county_user):
    client.force_login(county_user)
    response = client.post("/reference/rates/new/", {"kind": "lpr", "tenor": "1-5y", "effective_from": "2026-07-20",
                                                     "rate": "2.8"})
    assert response.status_code == 200 and "期限只能是" in response.content.decode()
    response = client.post("/reference/rates/new/", {"kind": "lpr", "tenor": "1y", "effective_from": "2025-05-20",
                                                     "rate": "2.8"})
    assert "修订" in response.content.decode()
    assert ReferenceRate.objects.count() == len(SHIPPED_RATES)


def test_era_edit_form_saves_a_new_version(client, county_user):
    era = PolicyEra.objects.current().get(code="tuopin2021")
    client.force_login(county_user)
    assert client.get(f"/reference/eras/{era.pk}/edit/").status_code == 200
    response = client.post(f"/reference/eras/{era.pk}/edit/", {
        "name": era.name, "effective_from": "2021-01-01", "max_amount": "5000000", "max_term_months": "36",
        "rate_basis": "lpr", "cap_rate": "", "eligible_statuses": ["exited", "edge", "monitored"],
        "min_age": "18", "max_age": "70", "subsidy_ratio": "0.5", "subsidy_max_years": "3",
        "reason": "县里调整",
    })
    assert response.status_code == 302, response.content.decode()
    new = selectors.policy_era_on(dt.date(2022, 1, 1))
    assert new.pk != era.pk and new.max_age == 70 and new.subsidy_ratio == Decimal("0.5")
    assert new.eligible_statuses == ["exited", "edge", "monitored"]


# --- API ------------------------------------------------------------------------------------

def test_api_lists_rates_as_strings_and_eras(client, bank_user):
    client.force_login(bank_user)
    body = client.get("/api/v1/reference/rates").json()
    first = next(r for r in body["current"] if r["kind"] == "benchmark" and r["tenor"] == "1y")
    assert first["rate"] == "4.3500" and first["effective_from"] == "2015-10-24"
    assert len(body["history"]) == len(SHIPPED_RATES)
    eras = client.get("/api/v1/reference/eras").json()
    assert [e["max_amount"] for e in eras] == ["50000.00", "50000.00", "100000.00"]
    assert eras[2]["cap_rate"] == "3.0000"
    assert client.get("/api/v1/reference/banks").json() == []


def test_api_post_rate_needs_permission(client, bank_user, county_user):
    from microcredit.apps.accounts.tokens import issue_token

    payload = {"kind": "lpr", "tenor": "5y", "effective_from": "2026-08-20", "rate": "3.4"}
    raw, _ = issue_token(bank_user)
    response = client.post("/api/v1/reference/rates", payload, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403
    raw, _ = issue_token(county_user)
    response = client.post("/api/v1/reference/rates", payload, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 201 and response.json()["rate"] == "3.4000"
    again = client.post("/api/v1/reference/rates", payload, content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert again.status_code == 409


def test_api_needs_authentication(client):
    assert client.get("/api/v1/reference/rates").status_code == 401
