from django.apps import AppConfig

from microcredit.apps.core.labels import register_labels
from microcredit.apps.core.registry import register_api, register_urls


class JobsConfig(AppConfig):
    name = "microcredit.apps.jobs"
    label = "jobs"
    verbose_name = "后台任务"

    def ready(self):
        """Register its API router, its pages and the expiry of export files (ADR 0003)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.jobs import api, exports, runner, urls
        from microcredit.apps.jobs.schedule import register_schedule

        register_api("/jobs/", api)
        register_urls("jobs/", urls, "jobs")
        register_schedule("export_file_expiry", exports.expire_export_files)
        register_labels("job_kind", runner.JOB_LABELS)  # words, not codes (issue #11 §3)
