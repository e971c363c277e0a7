from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from microcredit.apps.core.panels import register_household_panel, register_member_rating
from microcredit.apps.core.registry import register_api, register_urls
from microcredit.apps.core.workflow import Workflow, register_workflow
from microcredit.apps.jobs.schedule import register_schedule
from microcredit.domain.workflow import RATING_CAMPAIGN


class RatingConfig(AppConfig):
    name = "microcredit.apps.rating"
    label = "rating"
    verbose_name = "评级授信"

    def ready(self):
        """Register its role grants, schedule, household-page section, API router, pages (ADR 0003) and its
        workflow (ADR 0007): a bank acts only on campaigns it may see, those of the villages it serves."""
        # Function-level: apps.py is imported before the models are loaded (Django app loading).
        from microcredit.apps.rating import api, household_panel, permissions, schedule, selectors, services, urls
        from microcredit.apps.rating.models import CampaignTransition, RatingCampaign

        permissions.grant_roles()
        # The presets come with a migration; after a flush (tests) they come back here, not in a selector.
        post_migrate.connect(lambda **kwargs: services.scorecard_presets_ensure(), sender=self, weak=False,
                             dispatch_uid="rating_scorecard_presets")
        register_schedule("ratings_expire", schedule.expire_ratings_once_a_day)
        register_household_panel("rating", household_panel.rating_panel)
        register_member_rating(selectors.rating_for_member)
        register_api("/rating/", api)
        register_urls("rating/", urls, "rating")
        register_workflow(Workflow(RATING_CAMPAIGN, RatingCampaign, CampaignTransition, "campaign",
                                   lambda user: selectors.campaign_list(user=user),
                                   "该批次不在您的管辖范围内（银行评审只能由服务该村的银行办理）", label=_("评级批次"),
                                   describe=lambda c: (f"{c.number} {c.village.name}",
                                                       reverse("rating:campaign", args=[c.pk]))))

        # Words, not codes (issue #11 §3): its audit actions by their labels.
        from microcredit.apps.audit.services import register_audit_actions
        from microcredit.apps.rating.services import AUDIT_ACTIONS

        register_audit_actions(AUDIT_ACTIONS)
