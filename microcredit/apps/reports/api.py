"""Reports API (issue #12 §9): the definitions, and a run as a background job — its status and file
through the jobs API (``GET /api/v1/jobs/{id}``, ``GET /api/v1/jobs/{id}/download``)."""

from __future__ import annotations

from ninja import Router, Schema
from ninja.errors import HttpError

from microcredit.apps.core.api_types import Text
from microcredit.apps.jobs.selectors import job_for_viewer
from microcredit.apps.reports import selectors, services
from microcredit.apps.reports.models import ReportDefinition
from microcredit.apps.reports.params import ReportParamError

router = Router(tags=["统计报表"])


class JobOut(Schema):
    """As ``GET /api/v1/jobs/{id}`` answers."""

    id: int
    kind: str
    status: str
    progress: int
    total: int
    percent: int
    message: str
    result: dict | None


class ColumnOut(Schema):
    field: str
    header: str
    format: str


class DefinitionOut(Schema):
    code: str
    name: str
    dataset: str
    params: list[str]
    unit: str
    columns: list[ColumnOut]


class RunIn(Schema):
    """The report's parameters as strings: region (12-digit code), month (YYYY-MM), quarter (YYYY-Qn),
    as_of (YYYY-MM-DD), bank (bank code), months (1–12)."""

    params: dict = {}  # bounded here, with Chinese messages: at most 20 keys; each value ≤ 40 characters (params.resolve)


def _out(d: ReportDefinition) -> dict:
    spec = d.spec
    return {"code": d.code, "name": d.name, "dataset": spec.get("dataset", ""), "params": spec.get("params", []),
            "unit": spec.get("unit", "元"),
            "columns": [{"field": c.get("field", ""), "header": c.get("header", ""), "format": c.get("format", "text")}
                        for c in spec.get("columns", [])]}


@router.get("", response=list[DefinitionOut])
def definitions(request):
    """The report definitions the caller may run (rows are scoped when run)."""
    if not request.user.has_perm("reports.view_report"):
        raise HttpError(403, "您无权查看统计报表")
    return [_out(d) for d in selectors.definition_list(user=request.user)]


@router.post("/{code}/runs", response={202: JobOut})
def run(request, code: Text(40), payload: RunIn):
    """Start a report as a background job; poll GET /jobs/{id}, then GET /jobs/{id}/download."""
    if not request.user.has_perm("reports.view_report"):
        raise HttpError(403, "您无权生成统计报表")
    try:
        definition = selectors.definition_get(user=request.user, code=code)
    except ReportDefinition.DoesNotExist:
        raise HttpError(404, "没有这个报表") from None
    if len(payload.params) > 20:
        raise ReportParamError({"params": "参数太多（最多 20 个）"})
    raw = {str(k)[:20]: v for k, v in payload.params.items()}
    job = services.run_start(actor=request.user, definition=definition, raw_params=raw)
    return 202, job_for_viewer(job, request.user)
