"""Job handler of the daily close (registered in MonitoringConfig.ready(); run by the worker;
progress shown on the close page)."""

import datetime as dt

from microcredit.apps.monitoring.close import close_through


def daily_close(job, report):
    """The request is checked and audited again when it runs (the rule may have changed its
    answer since it was queued: another close finished, a payment made a date stale)."""
    day = dt.date.fromisoformat(job.params["date"])
    source = job.params.get("source") or ("schedule" if job.params.get("scheduled") else "page")
    runs = close_through(day, report, catch_up=job.params.get("catch_up", True), actor=job.created_by,
                         source=source, note=f"后台任务 #{job.pk}")
    dates = [r.business_date.isoformat() for r in runs]
    loans, changed = (runs[-1].loans if runs else 0), sum(r.changed for r in runs)
    span = f"{dates[0]} 至 {dates[-1]}，共 {len(dates)} 个日期" if len(dates) > 1 else (dates[0] if dates else "无待日终日期")
    return {"dates": dates, "loans": loans, "changed": changed,
            "summary": f"日终完成：{span}；贷款 {loans} 笔，其中变化 {changed} 笔"}
