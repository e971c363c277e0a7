from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from microcredit.apps.core.panels import register_dashboard_panel, register_household_panel
from microcredit.apps.core.registry import register_api, register_urls
from microcredit.apps.core.workflow import Workflow, register_workflow
from microcredit.domain.workflow import APPLICATION


class OriginationConfig(AppConfig):
    name = "microcredit.apps.origination"
    label = "origination"
    verbose_name = "贷款申请与发放"

    def ready(self):
        """Register its role grants, dashboard panel, household-page section, API router, pages (ADR 0003)
        and its workflow (ADR 0007)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.origination import api, dashboard, household_panel, permissions, selectors, urls
        from microcredit.apps.origination.models import LoanApplication, WorkflowTransition

        permissions.grant_roles()
        register_dashboard_panel("time_to_money", dashboard.time_to_money_panel)
        register_household_panel("loans", household_panel.loans_panel)
        register_api("/origination/", api)
        register_urls("origination/", urls, "origination")
        register_workflow(Workflow(APPLICATION, LoanApplication, WorkflowTransition, "application",
                                   selectors.application_list, "该申请不在您的管辖范围内或不是本行的申请", label=_("申请"),
                                   describe=lambda a: (f"{a.number} {a.household.head_name}",
                                                       reverse("origination:detail", args=[a.pk]))))

        # Words, not codes (issue #11 §3): its audit actions by their labels.
        from microcredit.apps.audit.services import register_audit_actions
        from microcredit.apps.origination.services import AUDIT_ACTIONS

        register_audit_actions(AUDIT_ACTIONS)
