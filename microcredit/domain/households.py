"""Household vocabulary the rules use (DOMAIN §2 Registry): the statuses (户类型) and the ones
eligible when no policy era says otherwise (DOMAIN §4). The Django choices reuse these values."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["HouseholdStatus", "HOUSEHOLD_STATUS_LABELS", "DEFAULT_ELIGIBLE_STATUSES"]


class HouseholdStatus(StrEnum):
    POOR = "poor"
    EXITED = "exited"
    EDGE = "edge"
    MONITORED = "monitored"
    GENERAL = "general"


HOUSEHOLD_STATUS_LABELS = {
    HouseholdStatus.POOR: "贫困户", HouseholdStatus.EXITED: "已脱贫户", HouseholdStatus.EDGE: "边缘易致贫户",
    HouseholdStatus.MONITORED: "监测对象", HouseholdStatus.GENERAL: "一般农户",
}
DEFAULT_ELIGIBLE_STATUSES = (HouseholdStatus.POOR, HouseholdStatus.EXITED, HouseholdStatus.EDGE,
                             HouseholdStatus.MONITORED)
"""Eligible statuses before any policy era is recorded (DOMAIN §4: 脱贫人口, 边缘易致贫户, 监测对象)."""
