"""The calculator at its edges: the web page and POST /api/v1/calc/… give the domain's figures."""

import pytest

from tests.integration.helpers import user_with_role

QUARTERLY = {"principal": "50000.00", "annual_rate": "4.35", "disbursed_on": "2018-03-15",
             "term_months": 36, "method": "interest_quarterly"}


@pytest.mark.django_db
def test_api_schedule_matches_the_worked_example(client):
    client.force_login(user_with_role("county_office"))
    response = client.post("/api/v1/calc/schedule", QUARTERLY, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["maturity_date"] == "2021-03-15"
    assert body["installments"][0] == {"due_date": "2018-03-21", "principal": "0.00", "interest": "36.25"}
    assert len(body["installments"]) == 13


@pytest.mark.django_db
def test_api_bad_input_names_the_field_in_chinese(client):
    client.force_login(user_with_role("county_office"))
    response = client.post("/api/v1/calc/schedule", {**QUARTERLY, "method": "weekly"},
                           content_type="application/json")
    assert response.status_code == 422  # the API's one DomainError mapping (issue #10 §6; was 400)
    assert response.json()["field"] == "method" and response.json()["detail"]


@pytest.mark.django_db
def test_api_share_loss(client):
    client.force_login(user_with_role("county_office"))
    response = client.post("/api/v1/calc/share-loss", {"loss": "100.01", "parties": [
        {"name": "风险补偿金", "ratio": "0.7"}, {"name": "银行", "ratio": "0.3"}]},
        content_type="application/json")
    assert response.json() == {"shares": [{"name": "风险补偿金", "amount": "70.01"}, {"name": "银行", "amount": "30.00"}]}


@pytest.mark.django_db
def test_api_needs_authentication(client):
    assert client.post("/api/v1/calc/schedule", QUARTERLY, content_type="application/json").status_code == 401


@pytest.mark.django_db
def test_calculator_page_shows_schedule_table_and_chart(client):
    client.force_login(user_with_role("village_station"))
    response = client.get("/calc/", QUARTERLY)
    html = response.content.decode()
    assert response.status_code == 200
    assert "2018-03-21" in html and "36.25" in html and 'class="chart"' in html
    assert "6621.64" in html  # interest total of the worked example
