"""Banks' systems authenticate with POST /api/v1/auth/token and a bearer token."""

import datetime as dt

import pytest

from microcredit.apps.accounts.models import ApiToken
from microcredit.apps.audit.models import AuditEntry
from tests.integration.helpers import user_with_role


@pytest.mark.django_db
def test_token_is_issued_stored_as_hash_and_audited(client):
    user_with_role("bank_officer", username="bank1")
    response = client.post("/api/v1/auth/token", {"username": "bank1", "password": "pw-123456"},
                           content_type="application/json")
    assert response.status_code == 200
    raw = response.json()["token"]
    assert not ApiToken.objects.filter(digest=raw).exists()
    assert ApiToken.objects.filter(digest=ApiToken.hash(raw)).exists()
    assert AuditEntry.objects.filter(action="api_token.issue").count() == 1


@pytest.mark.django_db
def test_wrong_password_is_refused_in_chinese(client):
    user_with_role("bank_officer", username="bank1")
    response = client.post("/api/v1/auth/token", {"username": "bank1", "password": "nope"},
                           content_type="application/json")
    assert response.status_code == 401
    assert response.json()["detail"] == "用户名或密码错误"


@pytest.mark.django_db
def test_bearer_token_authenticates_and_expired_token_does_not(client):
    user_with_role("county_office", username="c1")
    raw = client.post("/api/v1/auth/token", {"username": "c1", "password": "pw-123456"},
                      content_type="application/json").json()["token"]
    body = {"loss": "1.00", "parties": [{"name": "a", "ratio": "1"}]}
    ok = client.post("/api/v1/calc/share-loss", body, content_type="application/json",
                     headers={"Authorization": f"Bearer {raw}"})
    assert ok.status_code == 200
    ApiToken.objects.update(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))
    expired = client.post("/api/v1/calc/share-loss", body, content_type="application/json",
                          headers={"Authorization": f"Bearer {raw}"})
    assert expired.status_code == 401
