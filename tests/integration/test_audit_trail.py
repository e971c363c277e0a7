"""The audit trail is append-only at every layer and readable, scoped and masked, by auditors."""

import pytest
from django.db import DatabaseError, connection, transaction

from microcredit.apps.audit.models import AppendOnlyError, AuditEntry
from microcredit.apps.audit.selectors import audit_entries, masked
from microcredit.apps.audit.services import record_audit
from tests.integration.helpers import user_with_role


def _entry(region_code="621221001001", **kw):
    return record_audit(actor=None, action="test.write", object_type="t", object_id="1",
                        object_repr="对象", after={"id_number": "621221199001011234", "phone": "13812345678"},
                        region_code=region_code, **kw)


@pytest.mark.django_db
def test_model_refuses_update_and_delete():
    entry = _entry()
    entry.note = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(note="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


@pytest.mark.django_db
def test_database_trigger_refuses_update_below_the_orm():
    entry = _entry()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET note = 'x' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).note == ""


@pytest.mark.django_db
def test_system_actor_is_labelled():
    assert _entry().actor_label == "系统"


@pytest.mark.django_db
def test_auditor_sees_only_entries_in_scope():
    _entry("621221001001")
    _entry("629999001001")
    auditor = user_with_role("auditor", scope_regions=["621221"])
    assert [e.region_code for e in audit_entries(auditor, action="test.")] == ["621221001001"]


@pytest.mark.django_db
def test_auditor_sees_identity_masked_county_clerk_in_full():
    after = _entry().after
    auditor = user_with_role("auditor")
    clerk = user_with_role("county_office")
    assert masked(after, auditor) == {"id_number": "621221********1234", "phone": "138****5678"}
    assert masked(after, clerk) == after


@pytest.mark.django_db
def test_audit_page_filters_by_action_and_masks(client):
    _entry()
    record_audit(actor=None, action="other.write", object_type="t", object_id="2", object_repr="别的",
                 region_code="621221001001")
    client.force_login(user_with_role("auditor"))
    html = client.get("/audit/", {"action": "test."}).content.decode()
    assert "test.write" in html and "other.write" not in html
    assert "621221199001011234" not in html and "621221********1234" in html


@pytest.mark.django_db
def test_audit_page_is_forbidden_to_a_village_clerk(client):
    client.force_login(user_with_role("village_station"))
    assert client.get("/audit/").status_code == 403
