"""Writes of the reports app: saving a definition (validated, audited) and starting a run (a job)."""

from __future__ import annotations

import re

from django.db import transaction

from microcredit.apps.audit.services import record_audit
from microcredit.apps.jobs.runner import enqueue
from microcredit.apps.reports.datasets import shapes
from microcredit.apps.reports.models import ReportDefinition
from microcredit.apps.reports.params import resolve
from microcredit.domain.errors import ConflictError, DomainError, FieldError
from microcredit.domain.reports import PARAMS, validate_spec

AUDIT_ACTIONS = {"report.define": "修改报表定义", "report.run": "生成统计报表"}
CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
JOB_KIND = "report"


class DefinitionError(DomainError):
    """A definition that cannot be saved; ``errors`` lists every failure (field, Chinese message)."""

    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__(errors[0].field, "；".join(e.message for e in errors))


class ReportPermissionError(ConflictError):
    pass


def definition_save(*, actor, code: str, name: str, spec, active: bool = True) -> ReportDefinition:
    """Create or update the definition `code`: its spec validated against the datasets (every failure
    at once, each naming its field), audited with before and after."""
    if not actor.has_perm("reports.edit_report"):
        raise ReportPermissionError("权限", "您无权编辑报表定义")
    errors = [FieldError(e.field, e.message) for e in validate_spec(spec, shapes())]
    if not isinstance(code, str) or not CODE.match(code):
        errors.insert(0, FieldError("code", "报表代码须是 2–40 位小写字母、数字或下划线，以字母开头"))
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        errors.insert(0, FieldError("name", "报表名称必填，最多 100 字"))
    if errors:
        raise DefinitionError(errors)
    with transaction.atomic():
        existing = ReportDefinition.objects.select_for_update().filter(code=code).first()
        before = {"name": existing.name, "spec": existing.spec, "active": existing.active} if existing else None
        definition = existing or ReportDefinition(code=code)
        definition.name, definition.spec, definition.active, definition.updated_by = name.strip(), spec, active, actor
        definition.save()
        record_audit(actor=actor, action="report.define", obj=definition, before=before,
                     after={"name": definition.name, "spec": spec, "active": active})
    return definition


def run_start(*, actor, definition: ReportDefinition, raw_params: dict):
    """Queue a run of `definition` for `actor` with the parameters checked now (ReportParamError when
    they are wrong: never a job that is bound to fail)."""
    if not actor.has_perm("reports.view_report"):
        raise ReportPermissionError("权限", "您无权生成统计报表")
    if not definition.active:
        raise ReportPermissionError("报表", "该报表已停用")
    params = resolve(actor, definition.spec.get("params", []), raw_params)
    job = enqueue(kind=JOB_KIND, user=actor, params={
        "code": definition.code, "raw": {k: str(raw_params[k])[:40] for k in PARAMS if k in raw_params},
        "resolved": params.as_json(), "see_identity": actor.has_perm("core.see_identity")})
    record_audit(actor=actor, action="report.run", obj=job, region_code=job.region_code,
                 after={"report": definition.code, "params": params.as_json()})
    return job
