"""Excel exports: small ones at once, large ones as a job with a progress bar (issue #11 §6).

Each app registers its exports in its `AppConfig.ready()` with `register_export(kind, …)`: the
permission it needs, `rows(user, query)` — the user's rows for the list's query string (scope and
filters, as on the list page) — and `write(rows, see_identity, report)` — the .xlsx (`core.excel`).

* `export_response` is the export button's view. A GET of at most `MICROCREDIT_EXPORT_SYNC_ROWS`
  rows (default 2,000, well under the ~2 s a page may take) answers the file at once; a larger one
  answers a page that says how many rows and offers to prepare the file in the background; its POST
  queues the job and shows the job's progress page, which downloads the file when it is done.
* The job runs as its creator with the masking decided at the request (`params["see_identity"]`)
  and writes the file to the job's `file`. It is idempotent: a re-run writes the file again.
* Only the creator, or someone of the same office (same region and bank, the export's permission
  and no less right to see identities), may download it (`export_file_for`).
* Files are deleted `MICROCREDIT_EXPORT_KEEP_DAYS` (default 7) days after they were written
  (`expire_export_files`, a schedule of the worker).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.http import FileResponse, QueryDict
from django.shortcuts import redirect, render

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.core.clock import business_date, now
from microcredit.apps.core.forms import expire_kept_uploads
from microcredit.apps.core.registry import Registry
from microcredit.apps.jobs.models import Job, JobStatus
from microcredit.apps.jobs.runner import HANDLERS, JOB_LABELS, _setting, enqueue, subject_region
from microcredit.apps.jobs.selectors import visible_job

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORTS = Registry("export")  # kind → ExportKind


@dataclass(frozen=True)
class ExportKind:
    title: str  # the file's name before the date, e.g. "农户档案"
    permission: str
    rows: Callable  # (user, query: QueryDict) → QuerySet of the user's rows
    write: Callable  # (rows, see_identity: bool, report) → open .xlsx file at position 0


def register_export(kind: str, *, title: str, permission: str, rows: Callable, write: Callable) -> None:
    """Make `kind` an export: its job handler and what the export view and download need."""
    EXPORTS.register(kind, ExportKind(title, permission, rows, write), module=write.__module__)
    HANDLERS.register(kind, _run_export, module=write.__module__)  # owned by the registering app
    JOB_LABELS[kind] = f"导出{title}"


def sync_rows() -> int:
    return int(_setting("MICROCREDIT_EXPORT_SYNC_ROWS", "2000"))


def keep_days() -> int:
    return int(_setting("MICROCREDIT_EXPORT_KEEP_DAYS", "7"))


def _filename(spec: ExportKind) -> str:
    return f"{spec.title}_{business_date():%Y%m%d}.xlsx"


def _query(data: QueryDict) -> dict[str, list[str]]:
    return {k: data.getlist(k) for k in data if k != "csrfmiddlewaretoken"}


def _no_report(done: int, total: int, message: str = "") -> None:
    return None


def export_response(request, kind: str):
    """The export button: the file at once when small, else the offer (GET) / the job (POST)."""
    spec = EXPORTS[kind]
    if not request.user.has_perm(spec.permission):
        raise PermissionDenied
    if request.method == "POST":
        return redirect("jobs:detail", start_export(request.user, kind, request.POST).pk)
    rows = spec.rows(request.user, request.GET)
    count = rows.count()
    if count <= sync_rows():
        out = spec.write(rows, request.user.has_perm("core.see_identity"), _no_report)
        return FileResponse(out, as_attachment=True, filename=_filename(spec), content_type=XLSX)
    return render(request, "jobs/export_start.html", {"title": spec.title, "count": count, "limit": sync_rows(), "keep": keep_days(),
                                                      "query": [(k, v) for k, vs in _query(request.GET).items() for v in vs]})


def start_export(user, kind: str, query: QueryDict) -> Job:
    """Queue the export `kind` of `user`'s rows for `query` (scope and masking of this moment)."""
    return enqueue(kind=kind, user=user, params={"query": _query(query),
                                                  "see_identity": user.has_perm("core.see_identity")})


def _run_export(job: Job, report) -> dict:
    spec, user = EXPORTS[job.kind], job.created_by
    query = QueryDict(mutable=True)
    for key, values in job.params.get("query", {}).items():
        query.setlist(key, [str(v) for v in values])
    rows = spec.rows(user, query)
    total = rows.count()
    report(0, total, "正在生成文件")
    out = spec.write(rows, bool(job.params.get("see_identity")) and user.has_perm("core.see_identity"), report)
    if job.file:  # a re-run (the worker died): the file is written again
        job.file.delete(save=False)
    job.file.save(_filename(spec), File(out), save=False)
    out.close()
    Job.objects.filter(pk=job.pk).update(file=job.file.name)
    report(total, total, "文件已生成")
    return {"filename": _filename(spec), "rows": total}


def office(user) -> str:
    """The region a user's jobs are filed under (as `enqueue` does)."""
    scope = Scope.of(user)
    return "" if scope.unrestricted else subject_region(list(scope.region_prefixes))


def export_file_for(user, pk: int) -> Job | None:
    """The finished export job `pk` when `user` may download its file, else None."""
    job = visible_job(user, pk)
    if job is None or job.kind not in EXPORTS or job.status != JobStatus.DONE or not job.file:
        return None
    if job.created_by_id == user.pk:
        return job
    same_office = job.region_code == office(user) and job.bank_id == user.bank_id
    may_see = user.has_perm("core.see_identity") or not job.params.get("see_identity")
    return job if same_office and may_see and user.has_perm(EXPORTS[job.kind].permission) else None


CONTENT_TYPES = {".csv": "text/csv; charset=utf-8"}  # by the file's suffix; .xlsx otherwise


def download_response(job: Job) -> FileResponse:
    name = (job.result or {}).get("filename") or "export.xlsx"
    content_type = next((t for suffix, t in CONTENT_TYPES.items() if name.lower().endswith(suffix)), XLSX)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=name, content_type=content_type)


def expire_export_files() -> None:
    """Delete export files older than the keeping period, and uploads kept by refused forms
    older than a day (`core.forms.DocumentField`) — the worker's schedule."""
    expire_kept_uploads()
    old = Job.objects.filter(kind__in=[e.name for e in EXPORTS.entries()], finished_at__lt=now() - dt.timedelta(days=keep_days()))
    for job in old.exclude(file=""):
        job.file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(file="", message=f"文件已删除（导出文件保留 {keep_days()} 天）")
