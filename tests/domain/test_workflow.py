"""Workflow tables (DOMAIN §12): wrong roles and wrong states are refused."""

from datetime import date

import pytest

from microcredit.domain.workflow import (
    APPLICATION, RATING_CAMPAIGN, allowed_transitions, due_date, find_transition, is_overdue,
    total_limit_days, transition_errors,
)

PATH = [
    ("draft", "submit", "village_station", "village_review"),
    ("village_review", "approve", "village_station", "township_review"),
    ("township_review", "approve", "township_station", "county_review"),
    ("county_review", "approve", "county_office", "bank_review"),
    ("bank_review", "approve", "bank_officer", "approved"),
    ("approved", "disburse", "bank_officer", "disbursed"),
]


@pytest.mark.parametrize("state, action, role, nxt", PATH)
def test_five_steps_in_order(state, action, role, nxt):
    assert transition_errors(APPLICATION, state, action, role) == []
    assert find_transition(APPLICATION, state, action).next_state == nxt


@pytest.mark.parametrize("state, action, role", [
    ("township_review", "approve", "village_station"),
    ("county_review", "approve", "township_station"),
    ("bank_review", "approve", "county_office"),
    ("approved", "disburse", "county_office"),
    ("village_review", "approve", "bank_officer"),
])
def test_wrong_role_is_refused(state, action, role):
    errors = transition_errors(APPLICATION, state, action, role)
    assert [e.field for e in errors] == ["role"]
    assert "无权" in errors[0].message


@pytest.mark.parametrize("state, action", [
    ("draft", "approve"), ("disbursed", "approve"), ("rejected", "submit"), ("approved", "approve"),
    ("village_review", "disburse"),
])
def test_wrong_state_is_refused(state, action):
    assert [e.field for e in transition_errors(APPLICATION, state, action, "bank_officer")] == ["action"]


def test_unknown_state():
    assert transition_errors(APPLICATION, "nowhere", "approve", "bank_officer")[0].field == "state"


def test_return_and_reject_need_an_opinion():
    assert [e.field for e in transition_errors(APPLICATION, "township_review", "return", "township_station")] == ["opinion"]
    assert transition_errors(APPLICATION, "township_review", "return", "township_station", "材料不全") == []
    assert find_transition(APPLICATION, "township_review", "return").next_state == "village_review"
    assert find_transition(APPLICATION, "village_review", "return").next_state == "draft"
    assert find_transition(APPLICATION, "county_review", "reject").next_state == "rejected"


def test_buttons_by_role():
    actions = {t.action for t in allowed_transitions(APPLICATION, "township_review", "township_station")}
    assert actions == {"approve", "return", "reject"}
    assert allowed_transitions(APPLICATION, "township_review", "village_station") == ()


def test_time_limits_total_seven_days():
    assert total_limit_days(APPLICATION) == 7
    assert due_date(APPLICATION, "township_review", date(2026, 2, 27)) == date(2026, 3, 1)
    assert not is_overdue(APPLICATION, "township_review", date(2026, 2, 27), date(2026, 3, 1))
    assert is_overdue(APPLICATION, "township_review", date(2026, 2, 27), date(2026, 3, 2))
    assert due_date(APPLICATION, "draft", date(2026, 1, 1)) is None


def test_rating_campaign_four_level_review_two_notices():
    state = "survey"
    for action, role in [("submit", "village_station"), ("start_notice", "village_station"),
                         ("close_notice", "village_station"), ("approve", "township_station"),
                         ("approve", "county_office"), ("approve", "bank_officer"),
                         ("start_notice", "village_station"), ("close_notice", "village_station")]:
        assert transition_errors(RATING_CAMPAIGN, state, action, role) == []
        state = find_transition(RATING_CAMPAIGN, state, action).next_state
    assert state == "effective"
    assert RATING_CAMPAIGN.step("notice1").limit_days == 7
