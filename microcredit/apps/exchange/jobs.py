"""Background jobs of the exchange (registered in ExchangeConfig.ready()): a ledger upload, a reconciliation."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from microcredit.apps.exchange.ledger_file import UPLOAD_LIMITS
from microcredit.apps.exchange.services import ledger_import, reconcile_run
from microcredit.apps.reference.selectors import bank_list

IMPORT_JOB = "ledger_import"
RECONCILE_JOB = "ledger_reconcile"


def run_ledger_import(job, report) -> dict:
    """The job's file imported as its creator (all or nothing; a re-run re-imports and changes nothing)."""
    params = job.params or {}
    bank = bank_list().filter(pk=params.get("bank_id")).first() if params.get("bank_id") else None
    with job.file.open("rb") as f:
        data = f.read()
    as_of = dt.date.fromisoformat(params["as_of"]) if params.get("as_of") else None
    result = ledger_import(filename=params.get("filename") or PurePath(job.file.name).name, data=data,
                           actor=job.created_by, bank=bank, as_of=as_of, source=params.get("source", "page"),
                           limits=UPLOAD_LIMITS, report=report)
    return result.as_dict()


def run_reconciliation(job, report) -> dict:
    params = job.params or {}
    report(0, 1, "核查中")
    bank_ids = [params["bank_id"]] if params.get("bank_id") else None
    run = reconcile_run(actor=job.created_by, bank_ids=bank_ids, region_code=params.get("region_code", ""))
    return {"run_id": run.pk, "rows": run.rows, "finding_count": run.finding_count, "counts": run.counts}
