from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from microcredit.apps.jobs.selectors import jobs_for

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
    """Progress and result of a background job (import, close, report)."""
    return get_object_or_404(jobs_for(request.user), pk=job_id)
