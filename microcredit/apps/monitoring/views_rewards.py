"""The reward fund page 奖补资金 (``monitoring:rewards``, issue #12 item 5): a year selector, the list per
village × bank with the township, village, bank and leading-group shares, and its Excel (jobs.exports)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from microcredit.apps.core.clock import business_date
from microcredit.apps.core.params import int_param
from microcredit.apps.jobs.exports import export_response
from microcredit.apps.monitoring.rewards import RewardList, rewards_for
from microcredit.domain.bounds import MIN_YEAR
from microcredit.domain.rewards import RECOVERY_MIN, REWARD_RATE

EXPORT_KIND = "monitoring_rewards"


def _year(query) -> int:
    """The ``year`` of the query string (default: last year, whose list is final); bad → DomainError (400)."""
    today = business_date()
    return int_param(query, "year", lo=MIN_YEAR, hi=today.year) or today.year - 1


class _Rows:
    """What jobs.exports needs of the rows: a count, and the list itself for the writer."""

    def __init__(self, data: RewardList) -> None:
        self.data = data

    def count(self) -> int:
        return len(self.data.lines)


def export_rows(user, query) -> _Rows:
    return _Rows(rewards_for(user=user, year=_year(query)))


@login_required
@permission_required("monitoring.view_close", raise_exception=True)
def rewards_page(request):
    year = _year(request.GET)
    data = rewards_for(user=request.user, year=year)
    this_year = business_date().year
    return render(request, "monitoring/rewards.html", {
        "data": data, "year": year, "years": list(range(this_year, max(MIN_YEAR, this_year - 12) - 1, -1)),
        "rate_pct": f"{REWARD_RATE * 100:.0f}%", "min_pct": f"{RECOVERY_MIN * 100:.0f}%",
        "townships_total": sum(t.amount for t in data.townships), "villages_total": sum(t.amount for t in data.villages),
        "banks_total": sum(t.amount for t in data.banks),
    })


@login_required
@permission_required("monitoring.view_close", raise_exception=True)
def rewards_export(request):
    """The list as .xlsx (same year and scope as the page): at once, or as a job when large."""
    return export_response(request, EXPORT_KIND)
