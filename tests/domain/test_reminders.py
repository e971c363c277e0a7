"""Reminder rules (DOMAIN §8, issue #12 §2): the offsets rule, templates, quiet hours, backoff, settings."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from microcredit.domain import reminders as r

days = st.dates(dt.date(2015, 1, 1), dt.date(2040, 12, 31))
offsets = st.builds(r.Offsets, st.integers(2, 180), st.integers(1, 60), st.integers(1, 90)).filter(
    lambda o: o.early > o.near)


@given(day=days, due=days, o=offsets)
def test_kinds_due_is_exactly_the_offsets(day, due, o):
    kinds = r.kinds_due(day, due, o)
    before = (due - day).days
    assert (r.EARLY in kinds) == (before == o.early)
    assert (r.NEAR in kinds) == (before == o.near)
    assert (r.OVERDUE in kinds) == (-before == o.overdue)
    assert all(r.due_dates_sought(day, o)[k] == due for k in kinds)  # the generator's query finds them
    assert r.kinds_due(day, due, o, paid=True) == ()


@given(due=days, o=offsets)
def test_each_kind_falls_on_exactly_one_close_date(due, o):
    """Over the closes of every date around a due date, each kind is called for on exactly one of them."""
    span = [due + dt.timedelta(days=k) for k in range(-200, 100)]
    for kind in r.KINDS:
        assert sum(kind in r.kinds_due(day, due, o) for day in span) == 1


def test_default_offsets_30_7_and_first_overdue_day():
    due = dt.date(2026, 6, 30)
    assert r.kinds_due(dt.date(2026, 5, 31), due, r.DEFAULT_OFFSETS) == (r.EARLY,)
    assert r.kinds_due(dt.date(2026, 6, 23), due, r.DEFAULT_OFFSETS) == (r.NEAR,)
    assert r.kinds_due(dt.date(2026, 7, 1), due, r.DEFAULT_OFFSETS) == (r.OVERDUE,)
    assert r.kinds_due(dt.date(2026, 6, 30), due, r.DEFAULT_OFFSETS) == ()


def test_templates_name_every_unknown_placeholder():
    assert r.template_errors("t", r.DEFAULT_TEMPLATES[r.EARLY]) == []
    errors = r.template_errors("t", "{户主}您好，{余额}元，{身份证号}")
    assert [e.message.split("：")[0] for e in errors] == ["未知的占位符 {余额}", "未知的占位符 {身份证号}"]
    assert "{户主}" in errors[0].message  # says what may be used
    assert r.template_errors("t", "  ")[0].message == "短信模板不能为空"
    assert "不能超过 200 个字符" in r.template_errors("t", "好" * 201)[0].message
    assert "花括号不成对" in r.template_errors("t", "{户主 您好")[0].message
    assert any("未知的占位符 {0.__class__}" in e.message for e in r.template_errors("t", "{0.__class__}"))


@given(st.text(max_size=300))
def test_render_never_fails_and_fills_known_placeholders(text):
    out = r.render(text, {"户主": "张三"})
    assert isinstance(out, str)
    assert r.render("{户主}，{金额}元，{x}", {"户主": "张三", "金额": "1.00"}) == "张三，1.00元，{x}"


def test_quiet_hours_across_midnight_release_at_eight():
    q = r.DEFAULT_QUIET
    tz = dt.timezone(dt.timedelta(hours=8))
    assert r.in_quiet_hours(dt.time(21, 0), q) and r.in_quiet_hours(dt.time(7, 59), q)
    assert not r.in_quiet_hours(dt.time(8, 0), q) and not r.in_quiet_hours(dt.time(20, 59), q)
    late = dt.datetime(2026, 6, 1, 22, 30, tzinfo=tz)
    assert r.quiet_release(late, q) == dt.datetime(2026, 6, 2, 8, 0, tzinfo=tz)
    early = dt.datetime(2026, 6, 2, 6, 0, tzinfo=tz)
    assert r.quiet_release(early, q) == dt.datetime(2026, 6, 2, 8, 0, tzinfo=tz)
    noon = dt.datetime(2026, 6, 2, 12, 0, tzinfo=tz)
    assert r.quiet_release(noon, q) == noon
    day_quiet = r.QuietHours(dt.time(12, 0), dt.time(14, 0))
    assert r.quiet_release(noon, day_quiet) == noon.replace(hour=14)


@given(at=st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2035, 1, 1)),
       start=st.times(), end=st.times())
def test_release_is_outside_quiet_hours_and_within_a_day(at, start, end):
    q = r.QuietHours(start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0))
    out = r.quiet_release(at, q)
    assert at <= out <= at + dt.timedelta(days=1)
    assert not r.in_quiet_hours(out.time(), q)


def test_backoff_and_max_attempts():
    assert [r.retry_delay(n) for n in (1, 2, 3)] == [dt.timedelta(minutes=m) for m in (5, 10, 20)]
    assert r.retry_delay(50) == dt.timedelta(hours=6)
    assert r.after_failure(2, 3) == "retry" and r.after_failure(3, 3) == "failed"


def test_settings_every_fault_at_once():
    errors = r.settings_errors(offsets=r.Offsets(7, 7, 0), quiet=r.QuietHours(dt.time(8), dt.time(8)),
                               horizon_months=13, max_attempts=0, templates={r.EARLY: "{错}"})
    fields = {e.field for e in errors}
    assert {"early_days", "overdue_days", "quiet_end", "horizon_months", "max_attempts", "template_early",
            "template_near", "template_overdue"} <= fields
    assert r.settings_errors(offsets=r.DEFAULT_OFFSETS, quiet=r.DEFAULT_QUIET, horizon_months=2, max_attempts=3,
                             templates=r.DEFAULT_TEMPLATES) == []


def test_mobile_numbers():
    assert r.is_mobile("13812345678") and not r.is_mobile("0398-1234567") and not r.is_mobile("")
