from django.http import QueryDict
from ninja import Router, Schema
from ninja.errors import HttpError

from microcredit.apps.core.api_types import Text
from microcredit.apps.jobs.exports import EXPORTS, download_response, export_file_for, start_export
from microcredit.apps.jobs.selectors import job_for_viewer, visible_job

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


class ExportIn(Schema):
    """The list's filters, as in the page's query string (e.g. {"status": "active"})."""

    query: dict[Text(100), Text(200)] = {}


@router.post("/exports/{kind}", response={202: JobOut})
def export_start(request, kind: Text(40), payload: ExportIn):
    """Start an Excel export as a background job (households, loans); poll GET /jobs/{id}, then download."""
    if kind not in EXPORTS:
        raise HttpError(404, "没有这种导出")
    if not request.user.has_perm(EXPORTS[kind].permission):
        raise HttpError(403, "您没有导出这些数据的权限")
    query = QueryDict(mutable=True)
    query.update(payload.query)
    return 202, job_for_viewer(start_export(request.user, kind, query), request.user)


@router.get("/{job_id}/download")
def job_download(request, job_id: int):
    """The file of a finished export: for its creator and their office, until it expires."""
    job = export_file_for(request.user, job_id)
    if job is None:
        raise HttpError(404, "没有这个文件，或您无权下载")
    return download_response(job)
