from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from microcredit.apps.core.registry import register_api, register_urls


class ReportsConfig(AppConfig):
    name = "microcredit.apps.reports"
    label = "reports"
    verbose_name = "统计报表"

    def ready(self):
        """Register role grants, pages, API router, the report job (ADR 0003, ADR 0008); the job's file
        is downloaded and expired by the export machinery (``jobs.exports``)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.audit.services import register_audit_actions
        from microcredit.apps.jobs.exports import EXPORTS, ExportKind
        from microcredit.apps.jobs.runner import register_job_handler
        from microcredit.apps.reports import api, jobs, ledger_api, ledger_export, permissions, services, urls

        permissions.grant_roles()
        register_job_handler(services.JOB_KIND, jobs.run_report, label=_("生成统计报表"))
        EXPORTS.register(services.JOB_KIND, ExportKind(_("统计报表"), "reports.view_report", jobs.export_rows,
                                                       jobs.export_write), module=jobs.__name__)
        register_api("/reports", api)
        # The 台账 export (issue #13 §4): its own job; download and expiry through jobs.exports.
        register_job_handler(ledger_export.JOB_KIND, ledger_export.run, label=_("导出贷款台账"))
        EXPORTS.register(ledger_export.JOB_KIND, ExportKind(_("贷款台账"), ledger_export.PERMISSION,
                                                            ledger_export.export_rows, ledger_export.export_write),
                         module=ledger_export.__name__)
        register_api("/ledger-export", ledger_api)
        register_urls("reports/", urls, "reports")
        register_audit_actions(services.AUDIT_ACTIONS)
