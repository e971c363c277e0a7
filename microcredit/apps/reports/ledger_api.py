"""台账 export API (issue #13 §4): queue the export; its progress and file through the jobs API
(``GET /api/v1/jobs/{id}``, ``GET /api/v1/jobs/{id}/download``)."""

from __future__ import annotations

from ninja import Field, Router, Schema
from ninja.errors import HttpError

from microcredit.apps.core.api_types import Text
from microcredit.apps.jobs.selectors import job_for_viewer
from microcredit.apps.reports import ledger_export
from microcredit.apps.reports.api import JobOut  # as GET /api/v1/jobs/{id} answers

router = Router(tags=["贷款台账导出"])


class LedgerExportIn(Schema):
    """region: 12-digit code of a province, city, county, township or village in your scope (empty: your whole
    scope); as_of: YYYY-MM-DD, not after the business date (empty: the business date); format: xlsx or csv;
    bank: a bank's code (optional; a bank officer: only its own)."""

    region: Text(40) = Field("", examples=["411224000000"])
    as_of: Text(40) = Field("", examples=["2026-06-30"])
    format: Text(40) = Field("xlsx", examples=["csv"])
    bank: Text(40) = Field("", examples=[""])


@router.post("", response={202: JobOut})
def ledger_export_start(request, payload: LedgerExportIn):
    """导出贷款台账（截至某日、某区域，xlsx 或 csv）：排入后台任务，返回任务号；用 GET /api/v1/jobs/{id} 查询进度，
    完成后 GET /api/v1/jobs/{id}/download 下载文件。参数错误时返回 422 及中文说明。"""
    if not request.user.has_perm(ledger_export.PERMISSION):
        raise HttpError(403, "您没有导出贷款台账的权限")
    job = ledger_export.start(request.user, payload.dict())
    return 202, job_for_viewer(job, request.user)
