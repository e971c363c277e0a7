"""The report job (issue #12 §9): runs a definition as its creator (scope and masking of the request),
writes the .xlsx to the job's file — downloaded and expired like every export (``jobs.exports``).
Idempotent: a re-run writes the file again."""

from __future__ import annotations

from django.core.files import File

from microcredit.apps.jobs.selectors import Job
from microcredit.apps.reports.build import ReportError, filename, produce, write_xlsx
from microcredit.apps.reports.models import ReportDefinition
from microcredit.apps.reports.params import resolve
from microcredit.domain.errors import DomainError


def run_report(job: Job, report) -> dict:
    user = job.created_by
    if user is None or not user.has_perm("reports.view_report"):
        raise ReportError("权限", "创建人已无权生成统计报表")
    params = job.params or {}
    code = params.get("code")
    if not code and isinstance(params.get("query"), dict):  # started through POST /jobs/exports/report
        query = {k: (v[0] if isinstance(v, list) and v else v) for k, v in params["query"].items()}
        code, raw = query.pop("code", ""), query
    else:
        raw = params.get("raw") or {}
    definition = ReportDefinition.objects.filter(code=str(code)[:40], active=True).first()
    if definition is None:
        raise ReportError("报表", "没有这个报表，或已停用")
    try:
        resolved = resolve(user, definition.spec.get("params", []), raw)
        produced = produce(definition.spec, user, resolved, bool(params.get("see_identity")) and user.has_perm("core.see_identity"),
                           report)
    except DomainError as exc:
        raise ReportError("报表", getattr(exc, "message", str(exc))) from None
    report(2, 3, "正在写入 Excel 文件")
    out = write_xlsx(produced)
    if job.file:
        job.file.delete(save=False)
    name = filename(produced)
    job.file.save(name, File(out), save=False)
    out.close()
    Job.objects.filter(pk=job.pk).update(file=job.file.name)
    data_rows = sum(1 for r in produced.rows if r.kind == "data")
    report(3, 3, "报表已生成")
    return {"filename": name, "rows": data_rows, "report": definition.code, "title": produced.title}


def export_rows(user, query):
    """For ``jobs.exports`` (the download and expiry machinery): a report has no list to count."""
    return ReportDefinition.objects.none()


def export_write(rows, see_identity, report):  # never called: the report job writes its own file
    raise ReportError("报表", "报表请从“统计报表”页面生成")
