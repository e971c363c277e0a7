from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    name = "microcredit.apps.problems"
    label = "problems"
    verbose_name = "问题台账"

    def ready(self):
        """Register role grants, pages, API router and the case workflow (its items on the to-do list,
        overdue past their deadline) (ADR 0003, ADR 0007, ADR 0008)."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.audit.services import register_audit_actions
        from microcredit.apps.core.labels import register_labels
        from microcredit.apps.core.registry import register_api, register_urls
        from microcredit.apps.core.workflow import Workflow, register_workflow
        from microcredit.apps.problems import api, permissions, selectors, urls
        from microcredit.apps.problems.models import Case, CaseStep
        from microcredit.apps.problems.services import AUDIT_ACTIONS
        from microcredit.domain.workflow import PROBLEM_CASE

        permissions.grant_roles()
        register_api("/problems/", api)
        register_urls("problems/", urls, "problems")
        register_workflow(Workflow(PROBLEM_CASE, Case, CaseStep, "case", selectors.case_actionable,
                                   "该问题不在您的管辖范围内或不由您负责整改", entered_field="due_anchor",
                                   supervised=selectors.case_supervised,
                                   label=_("问题台账"), describe=lambda c: (f"{c.number} {c.title}",
                                                                         reverse("problems:case", args=[c.pk]))))
        register_audit_actions(AUDIT_ACTIONS)
        register_labels("problem_action", selectors.ACTION_LABELS)
