"""Manual classification moves (DOMAIN §5.4, issue #12 §11): the floor, downgrade and upgrade rules."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from microcredit.domain.classification import (CLASSES, downgrade_errors, effective_class, upgrade_errors,
                                               worse_of)

D = dt.date(2026, 6, 30)
classes = st.sampled_from(CLASSES)


@given(classes, classes, st.integers(-30, 30))
def test_the_effective_class_is_never_better_than_the_floor_from_its_day(computed, floor, offset):
    floor_on = D + dt.timedelta(days=offset)
    got = effective_class(computed, floor, floor_on, D)
    if floor_on <= D:
        assert got == worse_of(computed, floor)
        assert CLASSES.index(got) >= CLASSES.index(floor)
    else:  # a catch-up close of a date before the move: the floor did not exist yet
        assert got == computed
    assert CLASSES.index(got) >= CLASSES.index(computed)


def test_no_floor_is_the_computed_class():
    assert effective_class("special_mention", "", None, D) == "special_mention"
    assert effective_class("doubtful", "normal", D, D) == "doubtful"


def test_a_downgrade_needs_a_worse_class_and_its_reason_all_failures_at_once():
    assert downgrade_errors(current="normal", target="substandard", reason="death") == []
    assert downgrade_errors(current="normal", target="loss", reason="fraud") == []
    errors = downgrade_errors(current="substandard", target="normal", reason="bored", reason_text="x" * 501)
    assert {e.field for e in errors} == {"to_class", "reason", "reason_text"}
    assert [e.field for e in downgrade_errors(current="normal", target="doubtful", reason="other")] == ["reason_text"]
    assert downgrade_errors(current="normal", target="doubtful", reason="other", reason_text="外出失联") == []
    assert {e.field for e in downgrade_errors(current="normal", target="nonsense", reason="death")} == {"to_class"}


def _paid_on_time(months: int, late_at: int | None = None):
    """Monthly instalments due on the 30th/last day before D, paid on their due date (one paid late)."""
    out = []
    for k in range(months, 0, -1):
        due = dt.date(2026, 6 - k, 28) if 6 - k >= 1 else dt.date(2025, 12 + 6 - k, 28)
        paid = due + dt.timedelta(days=5) if late_at == k else due
        out.append((due, paid))
    return out


def test_an_upgrade_after_three_months_of_regular_payment_is_allowed():
    assert upgrade_errors(current="substandard", target="normal", computed="normal", on=D,
                          last_manual_on=dt.date(2026, 3, 1), installments=_paid_on_time(5)) == []


def test_an_upgrade_is_refused_before_three_months_since_the_move_and_after_a_late_payment():
    errors = upgrade_errors(current="substandard", target="normal", computed="normal", on=D,
                            last_manual_on=dt.date(2026, 4, 15), installments=_paid_on_time(5, late_at=2))
    messages = " ".join(e.message for e in errors)
    assert len(errors) == 2 and "须满 3 个月" in messages and "有逾期" in messages


def test_an_upgrade_cannot_hide_an_overdue_nor_be_a_downgrade():
    errors = upgrade_errors(current="doubtful", target="normal", computed="special_mention", on=D,
                            last_manual_on=None, installments=[(dt.date(2026, 6, 1), None)])
    assert {e.field for e in errors} == {"to_class", "on"}
    errors = upgrade_errors(current="normal", target="substandard", computed="normal", on=D, last_manual_on=None,
                            installments=[])
    assert [e.field for e in errors] == ["to_class"]


@given(st.lists(st.tuples(st.integers(-200, 0), st.one_of(st.none(), st.integers(0, 60))), max_size=8))
def test_an_upgrade_is_allowed_exactly_when_no_instalment_was_overdue_in_the_window(rows):
    """Property: no failure on ``on`` ⇔ no instalment was overdue (due + 1 ≤ x < paid) on a day x of the window."""
    installments = []
    for due_off, paid_after in rows:
        due = D + dt.timedelta(days=due_off)
        installments.append((due, None if paid_after is None else due + dt.timedelta(days=paid_after)))
    errors = upgrade_errors(current="substandard", target="special_mention", computed="special_mention", on=D,
                            last_manual_on=None, installments=installments)
    start = dt.date(2026, 3, 30)
    days = [start + dt.timedelta(days=k) for k in range((D - start).days + 1)]
    overdue = any(due < x and (paid is None or paid > x) for due, paid in installments for x in days)
    assert (errors == []) == (not overdue)
