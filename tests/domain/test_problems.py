"""The problem ledger's rules (DOMAIN §8, §12; issue #12 §6)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from microcredit.domain.problems import (
    assign_errors,
    closing_errors,
    evidence_errors,
    is_case_overdue,
    open_errors,
    rectify_errors,
)
from microcredit.domain.workflow import (
    PROBLEM_CASE,
    due_date,
    is_overdue,
    transition_errors,
)

VILLAGE_CODE, TOWNSHIP_CODE, COUNTY_CODE = "411224100001", "411224100000", "411224000000"
DAY = dt.date(2026, 6, 1)


def test_closing_needs_text_and_document_every_failure_at_once():
    assert {e.field for e in closing_errors(rectification=" ", documents=0)} == {"rectification", "document"}
    assert closing_errors(rectification="已整改", documents=1) == []
    assert [e.field for e in closing_errors(rectification="已整改", documents=0)] == ["document"]


def test_rectify_needs_text_and_document():
    assert {e.field for e in rectify_errors(rectification="", documents=0)} == {"rectification", "document"}
    assert rectify_errors(rectification="x" * 2001, documents=1)[0].field == "rectification"


def test_open_errors_every_failure_at_once():
    errors = open_errors(source="x", region_code="abc", title="", description="d" * 3000, evidence="no")
    assert {e.field for e in errors} == {"source", "region_code", "title", "description", "evidence"}
    assert open_errors(source="audit", region_code=COUNTY_CODE, title="t", description="") == []


def test_assign_owner_region_and_deadline():
    ok = dict(owner_role="village_station", owner_region=VILLAGE_CODE, case_region=TOWNSHIP_CODE, deadline=DAY, on=DAY)
    assert assign_errors(**ok) == []
    assert assign_errors(**{**ok, "owner_role": "township_station", "owner_region": TOWNSHIP_CODE,
                            "case_region": VILLAGE_CODE}) == []
    assert [e.field for e in assign_errors(**{**ok, "owner_region": TOWNSHIP_CODE})] == ["owner_region"]
    assert [e.field for e in assign_errors(**{**ok, "owner_region": "411224101001"})] == ["owner_region"]
    assert [e.field for e in assign_errors(**{**ok, "owner_role": "bank_officer"})] == ["owner_role"]
    assert [e.field for e in assign_errors(**{**ok, "deadline": None})] == ["deadline"]
    assert [e.field for e in assign_errors(**{**ok, "deadline": DAY + dt.timedelta(days=400)})] == ["deadline"]


@given(st.lists(st.dictionaries(st.text(max_size=70), st.one_of(st.none(), st.integers(), st.text(max_size=600),
                                                               st.lists(st.integers(), max_size=2)), max_size=3),
                max_size=5))
def test_evidence_rows_never_crash(rows):
    errors = evidence_errors(rows)
    assert all(e.field == "evidence" for e in errors)


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 1, 1)),
       st.integers(min_value=0, max_value=366), st.integers(min_value=-5, max_value=400))
def test_the_kits_due_date_of_the_rectification_step_is_the_deadline(assigned_on, days, offset):
    """The app keeps the entry date one day before the deadline: the kit's overdue is the case's."""
    deadline = assigned_on + dt.timedelta(days=days)
    anchor = deadline - dt.timedelta(days=1)
    today = assigned_on + dt.timedelta(days=offset)
    assert due_date(PROBLEM_CASE, "assigned", anchor) == deadline
    assert is_overdue(PROBLEM_CASE, "assigned", anchor, today) == is_case_overdue("assigned", deadline, today)


def test_every_open_step_can_be_returned_or_rejected_with_a_reason():
    for step in PROBLEM_CASE.steps:
        if step.terminal:
            continue
        actions = {t.action for t in PROBLEM_CASE.transitions if t.state == step.state}
        assert "reject" in actions or "return" in actions
    assert transition_errors(PROBLEM_CASE, "verified", "close", "county_office") == []
    assert transition_errors(PROBLEM_CASE, "verified", "close", "village_station")
    assert transition_errors(PROBLEM_CASE, "assigned", "return", "village_station")[0].field == "opinion"
