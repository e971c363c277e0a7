from ninja import Router, Schema
from ninja.errors import HttpError

from microcredit.apps.jobs.selectors import visible_job

router = Router(tags=["后台任务"])


class JobOut(Schema):
    id: int
    kind: str
    status: str
    progress: int
    total: int
    percent: int
    message: str
    result: dict | None


@router.get("/{job_id}", response=JobOut)
def job_status(request, job_id: int):
    """Progress and result of a background job (import, close, report), masked per role."""
    job = visible_job(request.user, job_id)
    if job is None:
        raise HttpError(404, "没有这个任务，或不在您的管辖范围内")
    return job
