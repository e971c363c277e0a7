"""The worker's schedule for reminders: an ``sms_send`` job whenever a queued message is due (after the
quiet hours, after a retry's backoff) or a claim was left behind by a dead worker."""

from __future__ import annotations

from microcredit.apps.core.clock import now
from microcredit.apps.reminders.models import Reminder, ReminderStatus
from microcredit.apps.reminders.services import CLAIM_TIMEOUT, request_sending


def schedule_sending() -> None:
    at = now()
    due = Reminder.objects.filter(status=ReminderStatus.QUEUED, send_after__lte=at).exists() or \
        Reminder.objects.filter(status=ReminderStatus.SENDING, claimed_at__lt=at - CLAIM_TIMEOUT).exists()
    if due:
        request_sending()
