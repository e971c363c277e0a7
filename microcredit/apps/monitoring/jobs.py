"""Job handler of the daily close (run by the worker; progress shown on the close page)."""

import datetime as dt

from microcredit.apps.jobs.runner import job_handler
from microcredit.apps.monitoring.close import close_through


@job_handler("daily_close")
def daily_close(job, report):
    day = dt.date.fromisoformat(job.params["date"])
    runs = close_through(day, report, catch_up=job.params.get("catch_up", True))
    return {"dates": [r.business_date.isoformat() for r in runs], "loans": runs[-1].loans if runs else 0,
            "changed": sum(r.changed for r in runs)}
