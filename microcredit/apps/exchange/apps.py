from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "microcredit.apps.exchange"
    label = "exchange"
    verbose_name = "银行数据交换"

    def ready(self):
        """Register role grants, pages, API router, the import job and audit labels (ADR 0008, ADR 0010)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.audit.services import register_audit_actions
        from microcredit.apps.core.labels import register_labels
        from microcredit.apps.core.registry import register_api, register_urls
        from microcredit.apps.exchange import api, jobs, permissions, services, urls
        from microcredit.apps.jobs.runner import register_job_handler
        from microcredit.domain.ledger import USAGE_MODE_LABELS

        permissions.grant_roles()
        register_api("/ledgers", api)
        register_urls("ledgers/", urls, "exchange")
        register_job_handler(jobs.IMPORT_JOB, jobs.run_ledger_import, label="导入银行台账")
        register_job_handler(jobs.RECONCILE_JOB, jobs.run_reconciliation, label="台账对账核查")
        register_audit_actions(services.AUDIT_ACTIONS)
        register_labels("ledger_usage_mode", USAGE_MODE_LABELS)
