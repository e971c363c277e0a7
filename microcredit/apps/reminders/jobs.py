"""The sender as a job (ADR 0005): ``sms_send`` sends the queued messages that are due."""

from __future__ import annotations

from microcredit.apps.reminders.services import send_due


def sms_send(job, report) -> dict:
    report(0, 1, "正在发送到期的提醒短信")
    counts = send_due()
    report(1, 1, f"已发送 {counts['sent']} 条，待重试 {counts['retry']} 条，失败 {counts['failed']} 条，"
                 f"免打扰时段暂缓 {counts['held']} 条")
    return counts
