"""The demo's reminders step (issue #12 §2): after the demo's close the outbox holds reminders; the demo
village clerk's to-do list holds the ones to deliver by hand."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from microcredit.apps.core.todo import todo_for
from microcredit.apps.reminders.models import Reminder, ReminderSettings, ReminderStatus
from microcredit.demo.reminders import create_reminders
from microcredit.demo.runner import generate
from microcredit.demo.scales import scale_for

pytestmark = pytest.mark.django_db


def test_demo_reminders_step(settings, tmp_path):
    settings.SMS_FILE_PATH = str(tmp_path / "outbox.jsonl")
    day = dt.date(2026, 11, 20)
    ctx = generate(seed=3, scale=scale_for("test", 600), business_date=day, progress=io.StringIO())  # runs the step
    assert ReminderSettings.objects.count() == len(ctx.counties)
    assert Reminder.objects.count() > 0
    assert Reminder.objects.filter(status=ReminderStatus.BY_HAND).exists()
    assert {r.kind for r in Reminder.objects.all()} >= {"early", "near"}
    clerk = ctx.users["village"]
    items = [i for i in todo_for(clerk, day).items if i.kind == "reminder"]
    assert items and all("待人工送达" in i.state_label for i in items)
    count = Reminder.objects.count()
    create_reminders(ctx)  # again: nothing twice
    assert Reminder.objects.count() == count
