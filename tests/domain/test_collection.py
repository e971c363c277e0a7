"""domain.collection (DOMAIN §7, §8, §12; issue #12 §3): states, bands, action rules, visits to make."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from microcredit.domain import collection as rules

D = dt.date(2026, 6, 1)


def test_bands_at_their_edges():
    assert [rules.band_for(d) for d in (1, 29, 30, 59, 60, 89, 90, 400)] == [
        "village", "village", "township", "township", "county", "county", "claim", "claim"]
    assert rules.band_range("village") == (1, 29) and rules.band_range("claim") == (90, None)
    assert rules.is_escalation("village", "township") and not rules.is_escalation("claim", "county")


@given(st.integers(min_value=1, max_value=5000))
def test_band_is_the_one_whose_range_holds_the_days(days):
    band = rules.band_for(days)
    lo, hi = rules.band_range(band)
    assert lo <= days and (hi is None or days <= hi)


@given(st.integers(min_value=1, max_value=5000), st.integers(min_value=0, max_value=500))
def test_more_days_never_lower_the_band(days, more):
    assert rules.BAND_ORDER[rules.band_for(days + more)] >= rules.BAND_ORDER[rules.band_for(days)]


def test_state_table():
    assert rules.next_state("open", "action") == "in_progress"
    assert rules.next_state("open", "promise") == "promise_to_pay"
    assert rules.next_state("promise_to_pay", "promise_passed") == "broken_promise"
    assert rules.next_state("broken_promise", "promise") == "promise_to_pay"
    assert rules.next_state("promise_to_pay", "repaid") == "resolved"
    assert rules.next_state("resolved", "close") == "closed"
    assert rules.next_state("open", "close") is None  # an overdue loan's case is not closed by hand
    assert rules.next_state("closed", "action") is None
    for (state, _event), target in rules.TRANSITIONS.items():
        assert state in rules.STATES and target in rules.STATES
    # every open state can be resolved by a repayment
    assert all(rules.next_state(s, "repaid") == "resolved" for s in rules.OPEN_STATES)


def _input(**kw):
    base = {"on": D, "channel": "visit", "result": "refused", "note": "", "promised_on": None, "promised_amount": None}
    return rules.ActionInput(**(base | kw))


def test_action_errors_all_at_once():
    assert rules.action_errors(_input(), today=D, opened_on=D, state="open") == []
    bad = rules.action_errors(_input(on=D + dt.timedelta(days=1), channel="fax", result="x", note="很" * 501),
                              today=D, opened_on=D, state="resolved")
    assert {e.field for e in bad} == {"case", "on", "channel", "result", "note"}


def test_a_promise_needs_its_date_and_amount_within_90_days():
    fields = {e.field for e in rules.action_errors(_input(result="promise"), today=D, opened_on=D, state="open")}
    assert fields == {"promised_on", "promised_amount"}
    late = rules.action_errors(_input(result="promise", promised_on=D + dt.timedelta(days=91), promised_amount=100),
                               today=D, opened_on=D, state="open")
    assert [e.field for e in late] == ["promised_on"]
    early = rules.action_errors(_input(result="promise", promised_on=D - dt.timedelta(days=1), promised_amount=100),
                                today=D, opened_on=D - dt.timedelta(days=5), state="open")
    assert [e.field for e in early] == ["promised_on"]
    stray = rules.action_errors(_input(promised_on=D), today=D, opened_on=D, state="open")
    assert [e.field for e in stray] == ["result"]
    before_open = rules.action_errors(_input(), today=D, opened_on=D + dt.timedelta(days=1), state="open")
    assert [e.field for e in before_open] == ["on"]


def test_broken_promise_and_visit_reasons():
    assert rules.promise_broken(D - dt.timedelta(days=1), D) and not rules.promise_broken(D, D)
    assert not rules.promise_broken(None, D)
    week = D - dt.timedelta(days=7)
    assert rules.visit_reason("broken_promise", opened_on=D, last_action_on=D, promised_on=None, on=D) == "broken"
    assert rules.visit_reason("promise_to_pay", opened_on=week, last_action_on=week, promised_on=D, on=D) == "promise_due"
    assert rules.visit_reason("promise_to_pay", opened_on=week, last_action_on=week,
                              promised_on=D + dt.timedelta(days=3), on=D) is None
    assert rules.visit_reason("open", opened_on=week, last_action_on=None, promised_on=None, on=D) == "idle"
    assert rules.visit_reason("in_progress", opened_on=week, last_action_on=D - dt.timedelta(days=6),
                              promised_on=None, on=D) is None
    assert rules.visit_reason("resolved", opened_on=week, last_action_on=None, promised_on=None, on=D) is None
