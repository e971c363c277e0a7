"""Ratings past their validity expire once a business day, in the worker (DOMAIN §3: 3 years,
then re-rating). Expired households show "已到期，需重新评级" and fail the policy check until
a new campaign rates them. Registered as the "ratings_expire" schedule in RatingConfig.ready()."""

from microcredit.apps.audit.services import record_audit
from microcredit.apps.core.clock import business_date
from microcredit.apps.core.models import SystemSetting
from microcredit.apps.rating.services import ratings_expire

DONE_KEY = "ratings_expired_on"


def expire_ratings_once_a_day() -> int:
    """Expire overdue ratings unless already done for today's business date; returns how many."""
    today = business_date().isoformat()
    if SystemSetting.get(DONE_KEY) == today:
        return 0
    count = ratings_expire()
    SystemSetting.objects.update_or_create(key=DONE_KEY, defaults={"value": today})
    if count:
        record_audit(actor=None, action="rating.expire", object_type="rating.rating", object_repr="评级到期",
                     after={"expired": count, "on": today}, note=f"{count} 户评级到期，需重新评级")
    return count
