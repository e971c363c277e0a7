"""The household page's credit section: the rating in force and the blacklist status."""

from microcredit.apps.core.clock import business_date
from microcredit.apps.rating.selectors import current_rating, is_blacklisted


def rating_panel(user, household) -> dict:
    today = business_date()
    rating = current_rating(household)
    return {
        "template": "rating/household_panel.html",
        "rating": rating,
        "expired": bool(rating and rating.valid_until and rating.valid_until < today),
        "blacklisted": is_blacklisted(household, today),
        "household": household,
        "honours": list(household.honours.filter(revoked_on__isnull=True)),
        "can_blacklist": user.has_perm("rating.manage_blacklist"),
        "can_honour": user.has_perm("rating.manage_blacklist"),
    }
