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


# --- subsidy batch and risk-fund claim (DOMAIN §7, §12) -----------------------------------------

from microcredit.domain.workflow import (  # noqa: E402
    CLAIM_NOTICE_DAYS, CLAIM_VERIFIERS, RISK_FUND_CLAIM, SUBSIDY_BATCH, notice_end, notice_errors,
)

SUBSIDY_PATH = [
    ("drafted", "verify", "pboc", "verified"),
    ("verified", "approve", "county_office", "approved"),
    ("approved", "pay", "finance", "paid"),
]
CLAIM_PATH = [
    ("filed", "notice", "county_office", "notice"),
    ("notice", "verify", "county_office", "verified"),
    ("verified", "approve", "county_office", "approved"),
    ("approved", "pay", "finance", "paid"),
]
ROLES = ("village_station", "township_station", "county_office", "bank_officer", "pboc", "finance",
         "household", "auditor")


@pytest.mark.parametrize("table, path", [(SUBSIDY_BATCH, SUBSIDY_PATH), (RISK_FUND_CLAIM, CLAIM_PATH)])
def test_fund_tables_walk_their_path(table, path):
    assert table.initial == path[0][0]
    for state, action, role, nxt in path:
        assert transition_errors(table, state, action, role) == []
        assert find_transition(table, state, action).next_state == nxt
    assert table.step(path[-1][3]).terminal and table.step("rejected").terminal


@pytest.mark.parametrize("table, state, action, role", [
    *((SUBSIDY_BATCH, s, a, r) for s, a, right, _ in SUBSIDY_PATH for r in ROLES if r != right),
    *((RISK_FUND_CLAIM, s, a, r) for s, a, right, _ in CLAIM_PATH for r in ROLES
      if r != right and not (s == "notice" and r in CLAIM_VERIFIERS)),  # the three verifiers (issue #12 §11)
])
def test_fund_tables_refuse_the_wrong_role(table, state, action, role):
    errors = transition_errors(table, state, action, role)
    assert [e.field for e in errors] == ["role"] and "无权" in errors[0].message


@pytest.mark.parametrize("table, state, action", [
    (SUBSIDY_BATCH, "drafted", "approve"), (SUBSIDY_BATCH, "drafted", "pay"), (SUBSIDY_BATCH, "verified", "pay"),
    (SUBSIDY_BATCH, "paid", "reject"), (SUBSIDY_BATCH, "rejected", "verify"), (SUBSIDY_BATCH, "verified", "verify"),
    (RISK_FUND_CLAIM, "filed", "verify"), (RISK_FUND_CLAIM, "filed", "pay"), (RISK_FUND_CLAIM, "notice", "approve"),
    (RISK_FUND_CLAIM, "verified", "pay"), (RISK_FUND_CLAIM, "paid", "reject"), (RISK_FUND_CLAIM, "rejected", "notice"),
])
def test_fund_tables_refuse_the_wrong_state(table, state, action):
    for role in ROLES:
        assert [e.field for e in transition_errors(table, state, action, role)] == ["action"]


@pytest.mark.parametrize("table", [SUBSIDY_BATCH, RISK_FUND_CLAIM])
def test_fund_tables_reject_with_a_reason_at_every_open_step(table):
    for step in table.steps:
        t = find_transition(table, step.state, "reject")
        if step.terminal:
            assert t is None
            continue
        assert t.next_state == "rejected" and t.needs_opinion and t.roles == step.roles
        role = t.roles[0]
        assert [e.field for e in transition_errors(table, step.state, "reject", role)] == ["opinion"]
        assert transition_errors(table, step.state, "reject", role, "材料不实") == []


def test_fund_tables_buttons_follow_the_role():
    assert [t.action for t in allowed_transitions(SUBSIDY_BATCH, "drafted", "pboc")] == ["verify", "reject"]
    assert allowed_transitions(SUBSIDY_BATCH, "drafted", "bank_officer") == ()
    assert [t.label for t in allowed_transitions(RISK_FUND_CLAIM, "approved", "finance")] == ["拨付代偿资金", "驳回"]


def test_claim_notice_lasts_at_least_seven_days():
    start = date(2026, 5, 1)
    assert CLAIM_NOTICE_DAYS == 7 and notice_end(start) == date(2026, 5, 8)
    assert notice_errors(None, start)[0].field == "on"
    assert "公示期未满 7 天" in notice_errors(notice_end(start), date(2026, 5, 7))[0].message
    assert notice_errors(notice_end(start), date(2026, 5, 8)) == []
    assert due_date(RISK_FUND_CLAIM, "notice", start) == date(2026, 5, 18)  # notice 7 + verification 10
