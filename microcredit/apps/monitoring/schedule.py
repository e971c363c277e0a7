"""Registers the daily close with the worker's scheduler (see monitoring.close.schedule_close)."""

from microcredit.apps.jobs.schedule import register_schedule


def _due():
    from microcredit.apps.monitoring.close import schedule_close

    schedule_close()


register_schedule("daily_close", _due)
