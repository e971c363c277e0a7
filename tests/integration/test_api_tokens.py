"""Banks' systems authenticate with POST /api/v1/auth/token and a bearer token."""

import datetime as dt

import pytest
from django.test import Client

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


def _mint(client, username="bank1", password="pw-123456"):
    response = client.post("/api/v1/auth/token", {"username": username, "password": password},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _calc(client, raw):
    """A call with the bearer token only (a fresh client: no browser session to fall back on)."""
    body = {"loss": "1.00", "parties": [{"name": "a", "ratio": "1"}]}
    return Client().post("/api/v1/calc/share-loss", body, content_type="application/json",
                       headers={"Authorization": f"Bearer {raw}"})


@pytest.mark.django_db
def test_delete_revokes_the_token_used_and_only_that_one(client):
    user_with_role("county_office", username="bank1")
    first, second = _mint(client), _mint(client)
    gone = client.delete("/api/v1/auth/token", headers={"Authorization": f"Bearer {first}"})
    assert gone.status_code == 200 and gone.json() == {"revoked": True}
    assert _calc(client, first).status_code == 401
    assert _calc(client, second).status_code == 200
    entry = AuditEntry.objects.get(action="api_token.revoke")
    assert entry.object_id == str(ApiToken.objects.get(digest=ApiToken.hash(first)).pk)


@pytest.mark.django_db
def test_a_password_change_revokes_every_token(client):
    user = user_with_role("county_office", username="bank1")
    raws = [_mint(client), _mint(client)]
    user.set_password("a-new-password-42")
    user.save()
    assert all(_calc(client, raw).status_code == 401 for raw in raws)
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 2
    assert AuditEntry.objects.filter(action="user.password", object_id=str(user.pk)).exists()
    assert _calc(client, _mint(client, password="a-new-password-42")).status_code == 200


@pytest.mark.django_db
def test_a_password_changed_on_the_profile_page_revokes_tokens(client):
    user = user_with_role("county_office", username="bank1")
    raw = _mint(client)
    client.force_login(user)
    response = client.post("/account/password/", {"old_password": "pw-123456", "new_password1": "Xq7-long-pass-99",
                                                  "new_password2": "Xq7-long-pass-99"})
    assert response.status_code == 302
    assert _calc(client, raw).status_code == 401


@pytest.mark.django_db
def test_a_sixth_token_revokes_the_oldest(client, settings):
    settings.MICROCREDIT_API_TOKENS_PER_USER = 5
    user_with_role("county_office", username="bank1")
    raws = [_mint(client) for _ in range(6)]
    assert _calc(client, raws[0]).status_code == 401
    assert all(_calc(client, raw).status_code == 200 for raw in raws[1:])
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 5
    assert ApiToken.objects.get(digest=ApiToken.hash(raws[0])).revoked_reason == "limit"


@pytest.mark.django_db
def test_the_profile_lists_tokens_without_secrets_and_revokes_one(client):
    user = user_with_role("county_office", username="bank1")
    other = user_with_role("county_office", username="bank2")
    raw = _mint(client)
    other_raw = _mint(client, username="bank2")
    assert _calc(client, raw).status_code == 200  # marks it used
    client.force_login(user)
    html = client.get("/account/").content.decode()
    token = ApiToken.objects.get(digest=ApiToken.hash(raw))
    assert raw not in html and token.digest not in html
    assert f"{raw[:6]}…" in html and "有效" in html and token.last_used_at is not None
    other_token = ApiToken.objects.get(digest=ApiToken.hash(other_raw))
    assert other_raw[:6] not in html
    # one may revoke one's own tokens only
    assert client.post(f"/account/tokens/{other_token.pk}/revoke/").status_code == 404
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    assert _calc(client, raw).status_code == 401 and _calc(client, other_raw).status_code == 200
    assert "已撤销" in client.get("/account/").content.decode()


@pytest.mark.django_db
def test_the_token_list_api_shows_no_secret(client):
    user_with_role("county_office", username="bank1")
    raw = _mint(client)
    listed = client.get("/api/v1/auth/tokens", headers={"Authorization": f"Bearer {raw}"})
    assert listed.status_code == 200
    assert raw not in listed.content.decode() and ApiToken.hash(raw) not in listed.content.decode()
    assert listed.json()[0]["prefix"] == raw[:6]
