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
        from microcredit.apps.loans import api, api_extensions, api_import, export, permissions, urls, views

        permissions.grant_roles()
        register_api("/loans/extensions", api_extensions)  # before "/loans/", whose "/{loan_id}" would match
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

        # Post-loan decisions through the workflow kit (issue #12 §11, ADR 0007) and the loan page's history.
        from django.urls import reverse

        from microcredit.apps.core.workflow import Workflow, register_workflow
        from microcredit.apps.loans import selectors
        from microcredit.apps.loans.models import (ClassificationProposal, ClassificationProposalStep,
                                                   ExtensionRequest, ExtensionStep)
        from microcredit.domain.workflow import CLASSIFICATION_MOVE, EXTENSION

        register_workflow(Workflow(EXTENSION, ExtensionRequest, ExtensionStep, "request",
                                   selectors.extension_requests_visible, "该展期续贷申请不在您的管辖范围内",
                                   label=_("展期续贷申请"), describe=lambda r: (
                                       f"{r.number} {r.loan.household.head_name} {r.get_kind_display()}",
                                       reverse("loans:extension", args=[r.pk]))))
        register_workflow(Workflow(CLASSIFICATION_MOVE, ClassificationProposal, ClassificationProposalStep, "proposal",
                                   selectors.class_proposals_visible, "该分类调整不在您的管辖范围内",
                                   label=_("五级分类调整"), describe=lambda p: (
                                       f"{p.loan.number} {p.loan.household.head_name} {p.get_from_class_display()}→"
                                       f"{p.get_to_class_display()}", reverse("loans:class_proposal", args=[p.pk]))))
        register_labels("event_kind", dict(EventKind.choices))
        register_labels("channel", dict(Channel.choices))
