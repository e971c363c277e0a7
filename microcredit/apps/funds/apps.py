from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from microcredit.apps.core.panels import register_dashboard_panel, register_loan_scope
from microcredit.apps.core.registry import register_api, register_urls
from microcredit.apps.core.workflow import Workflow, register_workflow
from microcredit.domain.workflow import RISK_FUND_CLAIM, SUBSIDY_BATCH


class FundsConfig(AppConfig):
    name = "microcredit.apps.funds"
    label = "funds"
    verbose_name = "资金（贴息、风险补偿金）"

    def ready(self):
        """Register its role grants, API router, pages, the insurer's dashboard panel (ADR 0003) and its two
        workflows (ADR 0007)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.funds import api, dashboard, permissions, selectors, urls
        from microcredit.apps.funds.models import Claim, SubsidyBatch, WorkflowStep

        permissions.grant_roles()
        register_api("/funds/", api)
        register_urls("funds/", urls, "funds")
        register_dashboard_panel("insurer", dashboard.insurer_panel)
        register_loan_scope("insurer", selectors.insured_q)  # an insurer sees only the loans it shares
        register_workflow(Workflow(SUBSIDY_BATCH, SubsidyBatch, WorkflowStep, "batch", selectors.batches_visible,
                                   "该贴息批次不在您的管辖范围内", state_field="status", entered_field=None,
                                   label=_("贴息批次"), describe=lambda b: (
                                       f"{b.number} {b.bank.short_name} {b.period_start:%Y-%m-%d}至{b.period_end:%Y-%m-%d}",
                                       reverse("funds:batch", args=[b.pk]))))
        register_workflow(Workflow(RISK_FUND_CLAIM, Claim, WorkflowStep, "claim", selectors.claims_visible,
                                   "该代偿申请不在您的管辖范围内", state_field="status", entered_field=None,
                                   label=_("代偿申请"), describe=lambda c: (f"{c.number} {c.loan.household.head_name}",
                                                                        reverse("funds:claim", args=[c.pk]))))

        # Words, not codes (issue #11 §3): its audit actions by their labels.
        from microcredit.apps.audit.services import register_audit_actions
        from microcredit.apps.funds.ledger import AUDIT_ACTIONS

        register_audit_actions(AUDIT_ACTIONS)
