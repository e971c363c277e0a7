"""Exports as jobs (issue #11 §6): above MICROCREDIT_EXPORT_SYNC_ROWS an export is a background job with a
progress page; its file equals the synchronous one, keeps the creator's scope and masking, is downloadable by
the creator and their office only, and expires. Households and loans; the quarterly subsidy report is
an aggregate of a few rows and stays synchronous."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from microcredit.apps.core.clock import now, pinned_business_date
from microcredit.apps.jobs.exports import expire_export_files
from microcredit.apps.jobs.models import Job
from microcredit.apps.jobs.runner import claim_next, run_job
from tests.batch.portfolio import County
from tests.factories import make_household, make_region_tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    t = make_region_tree()
    for v in (0, 0, 1, 2):
        make_household(t.villages[v])
    return t


def _sheet(data: bytes):
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def _file(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def _run_as_job(client, url, params=None) -> Job:
    """Start the export by POST (as the offer page does) and run the queued job like the worker."""
    response = client.post(url, params or {})
    job = Job.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    return run_job(claim_next())


def test_small_export_is_at_once_large_one_offers_a_job(client, tree, settings):
    client.force_login(make_user("county_office", scope_regions=[tree.county.prefix]))
    assert len(_sheet(_file(client.get(reverse("households:export"))))) == 5
    settings.MICROCREDIT_EXPORT_SYNC_ROWS = 3
    page = client.get(reverse("households:export"), {"village": tree.villages[0].pk})
    assert len(_sheet(_file(page))) == 3  # two rows: still at once
    page = client.get(reverse("households:export"), {"status": "poor"})
    body = page.content.decode()
    assert page.status_code == 200 and "共 <strong>4</strong> 行" in body
    assert 'name="status" value="poor"' in body and 'method="post"' in body
    assert not Job.objects.exists()  # a GET never queues anything


def test_job_file_equals_the_synchronous_file(client, tree, settings):
    user = make_user("county_office", scope_regions=[tree.county.prefix])
    client.force_login(user)
    sync = _sheet(_file(client.get(reverse("households:export"), {"status": "poor"})))
    settings.MICROCREDIT_EXPORT_SYNC_ROWS = 1
    job = _run_as_job(client, reverse("households:export"), {"status": "poor"})
    assert job.status == "done" and job.result["rows"] == 4 and job.percent == 100
    assert job.created_by == user and job.region_code == tree.county.code[:6]
    assert _sheet(_file(client.get(reverse("jobs:download", args=[job.pk])))) == sync
    progress = client.get(reverse("jobs:detail", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert reverse("jobs:download", args=[job.pk]) in progress and "<iframe hidden" in progress
    api = client.get(f"/api/v1/jobs/{job.pk}/download")
    assert _sheet(_file(api)) == sync


def test_job_keeps_scope_and_masking_of_the_requesting_user(client, tree, settings):
    settings.MICROCREDIT_EXPORT_SYNC_ROWS = 0
    clerk = make_user("village_station", scope_regions=[tree.villages[0].prefix])
    client.force_login(clerk)
    rows = _sheet(_file(client.get(reverse("jobs:download", args=[_run_as_job(client, reverse("households:export")).pk]))))
    assert len(rows) == 3 and all(r[5] and "*" not in r[5] for r in rows[1:])  # own village, full ID numbers
    auditor = make_user("auditor", scope_regions=[tree.county.prefix])
    client.force_login(auditor)
    job = _run_as_job(client, reverse("households:export"))
    rows = _sheet(_file(client.get(reverse("jobs:download", args=[job.pk]))))
    assert len(rows) == 5 and all("*" in r[5] for r in rows[1:])  # the auditor's file is masked


def test_another_user_cannot_download_the_office_can(client, tree, settings):
    settings.MICROCREDIT_EXPORT_SYNC_ROWS = 0
    owner = make_user("county_office", scope_regions=[tree.county.prefix])
    client.force_login(owner)
    job = _run_as_job(client, reverse("households:export"))
    url = reverse("jobs:download", args=[job.pk])
    colleague = make_user("county_office", scope_regions=[tree.county.prefix])
    client.force_login(colleague)
    assert client.get(url).status_code == 200  # same office, same rights
    for stranger in (make_user("auditor", scope_regions=[tree.county.prefix]),  # may not see full ID numbers
                     make_user("township_station", scope_regions=[tree.townships[0].prefix]),  # another office
                     make_user("county_office", scope_regions=["622222"])):  # another county
        client.force_login(stranger)
        assert client.get(url).status_code == 404
        assert client.get(f"/api/v1/jobs/{job.pk}/download").status_code == 404


def test_api_starts_an_export_and_bad_params_are_refused(client, tree):
    client.force_login(make_user("county_office", scope_regions=[tree.county.prefix]))
    response = client.post("/api/v1/jobs/exports/households_export", {"query": {"status": "poor"}},
                           content_type="application/json")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    job = run_job(claim_next())
    assert job.result["rows"] == 4 and client.get(f"/api/v1/jobs/{job.pk}").json()["status"] == "done"
    assert client.post("/api/v1/jobs/exports/nothing", {}, content_type="application/json").status_code == 404
    assert client.post("/api/v1/jobs/exports/households_export", {"query": "x"},
                       content_type="application/json").status_code == 422
    client.force_login(make_user("pboc", scope_regions=[tree.county.prefix]))
    assert client.post("/api/v1/jobs/exports/households_export", {}, content_type="application/json").status_code == 403
    # a hostile filter value gives a file or a refusal, never a 500
    client.force_login(make_user("county_office", scope_regions=[tree.county.prefix]))
    for bad in ({"village": "99999999999999999999999"}, {"status": "x" * 500}, {"township": "abc"}):
        assert client.get(reverse("households:export"), bad).status_code in (200, 400)


def test_export_files_expire(client, tree, settings):
    settings.MICROCREDIT_EXPORT_SYNC_ROWS = 0
    client.force_login(make_user("county_office", scope_regions=[tree.county.prefix]))
    job = _run_as_job(client, reverse("households:export"))
    expire_export_files()
    job.refresh_from_db()
    assert job.file
    Job.objects.filter(pk=job.pk).update(finished_at=now() - dt.timedelta(days=8))
    expire_export_files()
    job.refresh_from_db()
    assert not job.file and "已删除" in job.message
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_loan_export_as_a_job_equals_the_synchronous_file(client, settings):
    with pinned_business_date(dt.date(2026, 1, 10)):
        county = County()
        county.loan(village=0, disbursed=dt.date(2025, 3, 15))
        county.loan(village=2, disbursed=dt.date(2025, 4, 1))
        client.force_login(county.county_user)
        sync = _sheet(_file(client.get(reverse("loans:export"))))
        settings.MICROCREDIT_EXPORT_SYNC_ROWS = 1
        assert "共 <strong>2</strong> 行" in client.get(reverse("loans:export")).content.decode()
        job = _run_as_job(client, reverse("loans:export"))
        assert len(sync) == 3 and _sheet(_file(client.get(reverse("jobs:download", args=[job.pk])))) == sync
        client.force_login(make_user("township_station", scope_regions=[county.tree.townships[0].prefix]))
        assert len(_sheet(_file(client.get(reverse("jobs:download", args=[_run_as_job(client, reverse("loans:export")).pk]))))) == 2
