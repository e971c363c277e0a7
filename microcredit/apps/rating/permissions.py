"""Role grants of the rating app (granted in the app's AppConfig.ready())."""

from microcredit.apps.accounts.roles import (
    ADMIN, AUDITOR, BANK, COUNTY, TOWNSHIP, VILLAGE, grant,
)


def grant_roles() -> None:
    """Called by the app's AppConfig.ready(); `grant` is idempotent."""
    grant(VILLAGE, "rating.view_rating", "rating.run_campaign")
    grant(TOWNSHIP, "rating.view_rating", "rating.review_campaign")
    grant(COUNTY, "rating.view_rating", "rating.review_campaign", "rating.manage_scorecard", "rating.manage_blacklist")
    grant(BANK, "rating.view_rating", "rating.review_campaign")
    grant(AUDITOR, "rating.view_rating")
    grant(ADMIN, "rating.view_rating", "rating.run_campaign", "rating.review_campaign", "rating.manage_scorecard",
          "rating.manage_blacklist")
