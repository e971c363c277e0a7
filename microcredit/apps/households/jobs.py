"""Background job "registry_import" (registered in HouseholdsConfig.ready()): validate the uploaded
file, then upsert it (ARCHITECTURE §7)."""

from __future__ import annotations

from pathlib import PurePath

from microcredit.apps.accounts.scope import Scope
from microcredit.apps.households.registry_file import parse_registry_file
from microcredit.apps.households.services import registry_import

MAX_ERRORS_SHOWN = 200


def run_registry_import(job, report) -> dict:
    """The job's file is validated in its creator's scope; any error → nothing written."""
    filename = job.params.get("filename") or PurePath(job.file.name).name
    with job.file.open("rb") as f:
        data = f.read()
    report(0, 1, "校验中")
    # A job queued by the system (no creator) imports county-wide, like the CLI.
    scope = Scope.of(job.created_by) if job.created_by_id else Scope((), None, unrestricted=True)
    parsed = parse_registry_file(filename=filename, data=data, scope=scope)
    if not parsed.ok:
        return {"ok": False, "error_count": len(parsed.errors), "errors": parsed.errors[:MAX_ERRORS_SHOWN]}
    result = registry_import(parsed=parsed, actor=job.created_by, source=filename, report=report)
    return {"ok": True, "rows": parsed.rows, **result.as_dict()}
