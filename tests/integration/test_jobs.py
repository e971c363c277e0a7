"""Background jobs: the runner records progress, result and failure; the page polls progress."""

import pytest

from microcredit.apps.jobs.models import JobStatus
from microcredit.apps.jobs.runner import HANDLERS, claim_next, enqueue, job_handler, run_job
from tests.integration.helpers import user_with_role


@pytest.fixture
def counting_job():
    @job_handler("test_count")
    def count(job, report):
        for i in range(job.params["n"]):
            report(i + 1, job.params["n"])
        return {"counted": job.params["n"]}

    yield
    HANDLERS.pop("test_count")


@pytest.mark.django_db
def test_a_queued_job_runs_to_done_with_its_result(counting_job):
    job = enqueue(kind="test_count", params={"n": 3})
    assert claim_next().pk == job.pk
    job = run_job(job)
    assert job.status == JobStatus.DONE and job.result == {"counted": 3} and job.percent == 100


@pytest.mark.django_db
def test_a_failing_job_is_recorded_not_raised():
    @job_handler("test_fail")
    def fail(job, report):
        raise ValueError("第3行 列身份证号：校验位错误")

    try:
        job = run_job(enqueue(kind="test_fail"))
    finally:
        HANDLERS.pop("test_fail")
    assert job.status == JobStatus.FAILED and "第3行" in job.message


@pytest.mark.django_db
def test_progress_partial_polls_while_running(client, counting_job):
    user = user_with_role("county_office")
    job = enqueue(kind="test_count", params={"n": 2}, user=user)
    client.force_login(user)
    html = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in html and "<progress" in html
    run_job(job)
    html = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in html
    assert client.get(f"/api/v1/jobs/{job.pk}").json()["status"] == "done"
