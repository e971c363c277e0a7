"""Role grants of the rating app (read by accounts.roles.sync_roles)."""

from microcredit.apps.accounts.roles import (
    ADMIN, AUDITOR, BANK, COUNTY, TOWNSHIP, VILLAGE, grant,
)

grant(VILLAGE, "rating.view_rating", "rating.run_campaign")
grant(TOWNSHIP, "rating.view_rating", "rating.review_campaign")
grant(COUNTY, "rating.view_rating", "rating.review_campaign", "rating.manage_scorecard", "rating.manage_blacklist")
grant(BANK, "rating.view_rating", "rating.review_campaign")
grant(AUDITOR, "rating.view_rating")
grant(ADMIN, "rating.view_rating", "rating.run_campaign", "rating.review_campaign", "rating.manage_scorecard",
      "rating.manage_blacklist")
