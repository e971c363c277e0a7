from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from microcredit.apps.core.panels import register_dashboard_panel, register_village_counts
from microcredit.apps.core.registry import register_api, register_urls


class HouseholdsConfig(AppConfig):
    name = "microcredit.apps.households"
    label = "households"
    verbose_name = "建档立卡档案"

    def ready(self):
        """Register its job handler and export, dashboard panel, API routers and pages (ADR 0003)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.households import api, api_list, dashboard, export, jobs, selectors, urls, views
        from microcredit.apps.jobs.exports import register_export
        from microcredit.apps.jobs.runner import register_job_handler

        register_job_handler("registry_import", jobs.run_registry_import, label=_("导入农户档案"))
        register_export("households_export", title=_("农户档案"), permission="core.export_data",
                        rows=views.export_rows, write=export.write_households_xlsx)
        register_dashboard_panel("households_by_status", dashboard.households_by_status_panel)
        register_village_counts(selectors.households_per_village)
        register_api("/registry/", api)
        register_api("/households", api_list)
        register_urls("households/", urls, "households")

        # Words, not codes (issue #11 §3): its audit actions by their labels.
        from microcredit.apps.audit.services import register_audit_actions
        from microcredit.apps.households.services import AUDIT_ACTIONS

        register_audit_actions(AUDIT_ACTIONS)
