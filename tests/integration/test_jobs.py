"""Background jobs: the runner records progress, result and failure; the page polls progress;
a job is scoped like its subject and masked for roles that do not see identities."""

import pytest

from microcredit.apps.jobs.models import Job, JobStatus
from microcredit.apps.jobs.runner import HANDLERS, claim_next, enqueue, job_handler, run_job
from microcredit.domain.errors import DomainError
from tests.factories import make_bank, make_region_tree, make_user
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
    claimed = claim_next("w1")
    assert claimed.pk == job.pk
    job = run_job(claimed, worker="w1")
    assert job.status == JobStatus.DONE and job.result == {"counted": 3} and job.percent == 100


@pytest.mark.django_db
def test_a_failing_job_is_recorded_not_raised():
    @job_handler("test_fail")
    def fail(job, report):
        raise DomainError("第3行 列身份证号", "校验位错误")

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


# ------------------------------------------------------------------------------ scope and masking

ID_HERE = "411224194912310020"
PHONE_HERE = "13812345678"
OTHER_COUNTY = "411225"


class Jobs:
    """Jobs of one county (an import with an ID number in its errors, a township's report, a bank's
    report, the system's close) and an import of another county."""

    def __init__(self):
        tree = make_region_tree()
        county = tree.county.prefix
        self.county = county
        self.bank_a, self.bank_b = make_bank("NSH", "卢氏农商银行"), make_bank("YCB", "邮储银行卢氏县支行")
        officer = make_user("county_office", [county])
        self.importer = officer
        self.imported = self._import(officer)
        self.other_import = self._import(make_user("county_office", [OTHER_COUNTY]))
        self.township = enqueue(kind="report", user=make_user("township_station", [tree.townships[0].prefix]))
        self.bank_job = enqueue(kind="report", user=make_user("bank_officer", [county], bank=self.bank_a))
        self.close = enqueue(kind="daily_close", params={"date": "2026-11-20"})
        self.other_close = enqueue(kind="daily_close", params={"date": "2026-11-20"}, region_code=OTHER_COUNTY)

    @staticmethod
    def _import(officer) -> Job:
        job = enqueue(kind="registry_import", params={"filename": "r.csv"}, user=officer)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.DONE, message=f"校验失败：身份证号 {ID_HERE}，电话 {PHONE_HERE}",
            result={"ok": False, "errors": [f"第3行 列身份证号：身份证号{ID_HERE}与第2行重复"],
                    "rows": [{"id_number": ID_HERE, "phone": PHONE_HERE}]})
        return job


def visible(client, jobs: list[Job]) -> list[bool]:
    """Which of `jobs` the client can open, checked on the list, the detail page and the API alike."""
    listing = client.get("/jobs/").content.decode()
    out = []
    for job in jobs:
        page, api = client.get(f"/jobs/{job.pk}/").status_code, client.get(f"/api/v1/jobs/{job.pk}").status_code
        listed = f'href="/jobs/{job.pk}/"' in listing
        assert {page, api} <= {200, 404} and (page == 200) == (api == 200) == listed, (job, page, api, listed)
        out.append(page == 200)
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["pboc", "finance", "insurer"])
def test_oversight_roles_see_their_county_s_jobs_but_no_registry_import(client, role):
    w = Jobs()
    client.force_login(make_user(role, [w.county]))
    assert visible(client, [w.close, w.township, w.bank_job, w.imported, w.other_import, w.other_close]) == [
        True, True, True, False, False, False]


@pytest.mark.django_db
def test_the_auditor_sees_the_county_s_import_masked(client):
    w = Jobs()
    client.force_login(make_user("auditor", [w.county]))
    assert visible(client, [w.imported, w.close, w.other_import, w.other_close]) == [True, True, False, False]
    body = client.get(f"/api/v1/jobs/{w.imported.pk}").content.decode() + \
        client.get(f"/jobs/{w.imported.pk}/").content.decode()
    assert ID_HERE not in body and PHONE_HERE not in body
    data = client.get(f"/api/v1/jobs/{w.imported.pk}").json()
    assert "411224********0020" in data["message"] and "138****5678" in data["message"]
    assert data["result"]["errors"] == ["第3行 列身份证号：身份证号411224********0020与第2行重复"]
    assert data["result"]["rows"] == [{"id_number": "411224********0020", "phone": "138****5678"}]


@pytest.mark.django_db
def test_the_importer_sees_the_full_errors_of_its_own_import(client):
    w = Jobs()
    client.force_login(w.importer)
    assert ID_HERE in client.get(f"/api/v1/jobs/{w.imported.pk}").json()["result"]["errors"][0]
    assert visible(client, [w.other_import, w.other_close]) == [False, False]


@pytest.mark.django_db
def test_banks_see_only_their_bank_s_jobs_and_a_township_only_its_own_region(client):
    w = Jobs()
    client.force_login(make_user("bank_officer", [w.county], bank=w.bank_b))
    assert visible(client, [w.bank_job, w.close, w.imported, w.township]) == [False, False, False, False]
    client.force_login(make_user("bank_officer", [w.county], bank=w.bank_a))
    assert visible(client, [w.bank_job, w.close, w.imported, w.township]) == [True, False, False, False]
    client.force_login(make_user("township_station", [w.township.region_code]))
    assert visible(client, [w.township, w.close, w.imported, w.bank_job]) == [True, False, False, False]


@pytest.mark.django_db
def test_no_traceback_in_any_job_page_or_api_answer(client):
    @job_handler("test_crash")
    def crash(job, report):
        {}["missing"]

    officer = user_with_role("county_office")
    try:
        job = run_job(enqueue(kind="test_crash", user=officer))
    finally:
        HANDLERS.pop("test_crash")
    client.force_login(officer)
    answers = [client.get(url).content.decode() for url in (
        "/jobs/", f"/jobs/{job.pk}/", f"/api/v1/jobs/{job.pk}")]
    answers.append(client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode())
    for text in answers:
        assert "Traceback" not in text and "KeyError" not in text and ".py" not in text
    assert "内部错误" in client.get(f"/api/v1/jobs/{job.pk}").json()["message"]


@pytest.mark.django_db
def test_a_job_id_out_of_range_is_not_found(client):
    client.force_login(user_with_role("county_office"))
    assert client.get(f"/api/v1/jobs/{10**20}").status_code in (404, 422)
    assert client.get(f"/jobs/{10**20}/").status_code == 404
