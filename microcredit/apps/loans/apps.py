from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from microcredit.apps.core.labels import register_labels
from microcredit.apps.core.registry import register_api, register_urls


class LoansConfig(AppConfig):
    name = "microcredit.apps.loans"
    label = "loans"
    verbose_name = "贷款"

    def ready(self):
        """Register its role grants, API routers and pages (ADR 0003)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.jobs.exports import register_export
        from microcredit.apps.loans import api, api_import, export, permissions, urls, views

        permissions.grant_roles()
        register_api("/loans/", api)
        register_api("/repayment-batches", api_import)
        register_urls("loans/", urls, "loans")
        register_export("loans_export", title=_("贷款台账"), permission="loans.view_loan", rows=views.export_rows,
                        write=export.write_loans_xlsx)

        # Words, not codes (issue #11 §3): its audit actions and vocabulary by their labels.
        from microcredit.apps.audit.services import register_audit_actions
        from microcredit.apps.loans.models import Channel, EventKind
        from microcredit.apps.loans.services import AUDIT_ACTIONS

        register_audit_actions(AUDIT_ACTIONS)
        register_labels("event_kind", dict(EventKind.choices))
        register_labels("channel", dict(Channel.choices))
