"""Every uploaded file and every batch posting is on the audit trail (issue #9 §1)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microcredit.apps.audit.models import AuditEntry
from microcredit.apps.jobs.runner import enqueue
from microcredit.apps.loans.repayment_import import repayments_import
from tests.factories import make_bank, make_user

pytestmark = pytest.mark.django_db


def test_a_file_queued_for_a_job_is_audited_with_its_digest():
    user = make_user("county_office", ["411224"])
    data = "户编号,行政村代码\n".encode()
    job = enqueue(kind="registry_import", params={"filename": "档案.csv"}, user=user,
                  file=SimpleUploadedFile("档案.csv", data))
    entry = AuditEntry.objects.get(action="job.upload", object_id=str(job.pk))
    assert entry.actor_id == user.pk
    assert entry.after["sha256"] == hashlib.sha256(data).hexdigest() and entry.after["filename"] == "档案.csv"


def test_a_repayment_batch_leaves_one_summary_row():
    officer = make_user("bank_officer", ["411224"], bank=make_bank())
    repayments_import(rows=[], actor=officer)
    entry = AuditEntry.objects.get(action="repayment.batch")
    assert entry.after == {"rows": 0, "posted": 0, "already_posted": 0}
