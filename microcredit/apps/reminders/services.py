"""Writes of the reminders app (DOMAIN §8, issue #12 §2): the county's settings, the reminders the
close generates, the sender, retries and delivery by hand. Keyword-only, audited, refusing with
``ReminderError``.

Sending is never part of the transaction that creates a message: the close creates rows and asks,
through ``transaction.on_commit``, for an ``sms_send`` job — a rolled-back close leaves neither a row
nor a job. The sender claims each row (queued → sending, conditional UPDATE) before handing it to the
backend, so two workers never send one message; a row left "sending" by a dead worker is failed with
「发送结果不明」, never sent again on its own (the county may retry it after checking).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from microcredit.apps.accounts.scope import SYSTEM, Scope
from microcredit.apps.audit.services import record_audit, snapshot
from microcredit.apps.core.clock import now
from microcredit.apps.jobs.runner import enqueue
from microcredit.apps.jobs.selectors import JobStatus, jobs_for
from microcredit.apps.loans.selectors import installments_due
from microcredit.apps.reminders import selectors
from microcredit.apps.reminders.models import Reminder, ReminderSettings, ReminderStatus
from microcredit.apps.reminders.sms import SmsError
from microcredit.apps.reminders.sms import backend as sms_backend
from microcredit.domain import reminders as rules
from microcredit.domain.errors import ConflictError, DomainError, FieldError
from microcredit.domain.money import fen_to_yuan

SEND_JOB = "sms_send"
SEND_BATCH = 500
CLAIM_TIMEOUT = dt.timedelta(minutes=10)
SETTINGS_FIELDS = ["early_days", "near_days", "overdue_days", "quiet_start", "quiet_end", "horizon_months",
                   "max_attempts", "template_early", "template_near", "template_overdue"]
AUDIT_ACTIONS = {
    "reminder_settings.update": "修改还款提醒设置",
    "reminder.generate": "生成还款提醒",
    "reminder.retry": "重发还款提醒短信",
    "reminder.hand": "登记人工送达还款提醒",
}


class ReminderError(DomainError):
    """A reminder write refused: ``errors`` lists every broken rule (the first is field/message)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(errors[0].field, errors[0].message)
        self.errors = errors


class ReminderConflict(ConflictError):
    """Not allowed as things stand (the role, the scope, the message's status)."""


def _snapshot(row: ReminderSettings) -> dict:
    """The audit's before/after: the settings' values, times as text."""
    return {k: (v.strftime("%H:%M") if isinstance(v, dt.time) else v) for k, v in snapshot(row, SETTINGS_FIELDS).items()}


def offsets_of(s: ReminderSettings) -> rules.Offsets:
    return rules.Offsets(s.early_days, s.near_days, s.overdue_days)


def quiet_of(s: ReminderSettings) -> rules.QuietHours:
    return rules.QuietHours(s.quiet_start, s.quiet_end)


# ------------------------------------------------------------------------------------ settings


def settings_save(*, actor, county_code: str, early_days: int, near_days: int, overdue_days: int,
                  quiet_start: dt.time, quiet_end: dt.time, horizon_months: int, max_attempts: int,
                  template_early: str, template_near: str, template_overdue: str) -> ReminderSettings:
    """Save a county's reminder settings (county office, administrator), every broken rule at once."""
    if not actor.has_perm("reminders.manage_reminder"):
        raise ReminderConflict("county", "无权修改提醒设置")
    if county_code not in {c for c, _name in selectors.counties_in_scope(user=actor)}:
        raise ReminderConflict("county", "无权修改该县的提醒设置")
    templates = {rules.EARLY: template_early.strip(), rules.NEAR: template_near.strip(),
                 rules.OVERDUE: template_overdue.strip()}
    errors = rules.settings_errors(offsets=rules.Offsets(early_days, near_days, overdue_days),
                                   quiet=rules.QuietHours(quiet_start, quiet_end), horizon_months=horizon_months,
                                   max_attempts=max_attempts, templates=templates)
    if errors:
        raise ReminderError(errors)
    with transaction.atomic():
        row = ReminderSettings.objects.select_for_update().filter(county_code=county_code).first()
        before = _snapshot(row) if row else None
        row = row or ReminderSettings(county_code=county_code)
        for name, value in (("early_days", early_days), ("near_days", near_days), ("overdue_days", overdue_days),
                            ("quiet_start", quiet_start), ("quiet_end", quiet_end),
                            ("horizon_months", horizon_months), ("max_attempts", max_attempts),
                            ("template_early", templates[rules.EARLY]), ("template_near", templates[rules.NEAR]),
                            ("template_overdue", templates[rules.OVERDUE])):
            setattr(row, name, value)
        row.updated_by = actor
        row.save()
        record_audit(actor=actor, action="reminder_settings.update", obj=row, before=before,
                     after=_snapshot(row), region_code=county_code.ljust(12, "0"))
    return row


# ---------------------------------------------------------------------------------- generation


def _local(at: dt.datetime) -> dt.datetime:
    return timezone.localtime(at)


def _date_words(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def reminders_generate(day: dt.date) -> int:
    """The after-close step (``core.panels.register_after_close``): one reminder per active loan ×
    due date × kind the offsets call for on ``day`` (DOMAIN §8), each county with its settings.

    Runs inside the close's transaction; the unique constraint makes a second close, or a re-close of
    the same date, add nothing. Households with a mobile number get an SMS (queued, held out of quiet
    hours); the others a reminder for the village clerk to deliver by hand. Returns how many were new.
    """
    saved = selectors.settings_by_county()
    default = ReminderSettings()
    sought = {d for s in [*saved.values(), default] for d in rules.due_dates_sought(day, offsets_of(s)).values()}
    at = now()
    rows = []
    for start in sorted(sought):
        for inst in installments_due(user=SYSTEM, start=start, end=start, unpaid_on=day).select_related(
                "loan__household__village"):
            loan = inst.loan
            s = saved.get(loan.region_code[:6], default)
            for kind in rules.kinds_due(day, inst.due_date, offsets_of(s)):
                rows.append(_reminder(day, at, s, loan, inst, kind))
    if not rows:
        return 0
    before = Reminder.objects.filter(created_on=day).count()
    Reminder.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    created = Reminder.objects.filter(created_on=day).count() - before
    if created:
        record_audit(actor=None, action="reminder.generate", object_type="reminders.reminder",
                     object_repr=f"{day} 还款提醒", after={"date": day.isoformat(), "created": created})
        if Reminder.objects.filter(created_on=day, status=ReminderStatus.QUEUED).exists():
            transaction.on_commit(request_sending)  # never before the close commits
    return created


def _reminder(day: dt.date, at: dt.datetime, s: ReminderSettings, loan, inst, kind: str) -> Reminder:
    household = loan.household
    amount = max(inst.principal - inst.principal_paid, 0) + max(inst.interest - inst.interest_paid, 0)
    template = {rules.EARLY: s.template_early, rules.NEAR: s.template_near, rules.OVERDUE: s.template_overdue}[kind]
    text = rules.render(template, {"户主": household.head_name, "金额": fen_to_yuan(amount),
                                   "应还日": _date_words(inst.due_date), "银行": str(loan.bank),
                                   "贷款编号": loan.number,
                                   "村": household.village.name if household.village_id else ""})
    phone = (household.phone or "").strip()
    sms = rules.is_mobile(phone)
    return Reminder(loan=loan, household=household, region_code=loan.region_code, bank_id=loan.bank_id, kind=kind,
                    due_date=inst.due_date, amount=amount, created_on=day, to=phone if sms else "", text=text[:1000],
                    status=ReminderStatus.QUEUED if sms else ReminderStatus.BY_HAND, max_attempts=s.max_attempts,
                    send_after=rules.quiet_release(_local(at), quiet_of(s)))


# ------------------------------------------------------------------------------------- sending


def request_sending() -> None:
    """Queue an ``sms_send`` job unless one is waiting already (called after a commit, and by the schedule)."""
    if not jobs_for(SYSTEM).filter(kind=SEND_JOB, status=JobStatus.QUEUED).exists():
        enqueue(kind=SEND_JOB, params={}, region_code="")


def _expire_claims(at: dt.datetime) -> int:
    """Rows left "sending" by a worker that died: the platform may have taken them — failed, not resent."""
    return Reminder.objects.filter(status=ReminderStatus.SENDING, claimed_at__lt=at - CLAIM_TIMEOUT).update(
        status=ReminderStatus.FAILED, last_error="发送结果不明（发送进程中断），请核实是否已收到后再重发", claim="")


def send_due(*, at: dt.datetime | None = None, limit: int = SEND_BATCH, backend=None) -> dict[str, int]:
    """Send the queued messages whose time has come, each at most once (claimed first), none in its
    county's quiet hours (held until they end); a failure is retried with backoff up to the
    message's ``max_attempts``, then failed. Returns counts."""
    at = at or now()
    backend = backend or sms_backend()
    counts = {"sent": 0, "retry": 0, "failed": _expire_claims(at), "held": 0}
    saved = selectors.settings_by_county()
    default = ReminderSettings()
    due = list(Reminder.objects.filter(status=ReminderStatus.QUEUED, send_after__lte=at)
               .order_by("send_after", "id").values_list("pk", "region_code")[:limit])
    for pk, region_code in due:
        quiet = quiet_of(saved.get(region_code[:6], default))
        release = rules.quiet_release(_local(at), quiet)
        if release != _local(at):
            counts["held"] += Reminder.objects.filter(pk=pk, status=ReminderStatus.QUEUED).update(send_after=release)
            continue
        token = uuid.uuid4().hex
        if not Reminder.objects.filter(pk=pk, status=ReminderStatus.QUEUED).update(
                status=ReminderStatus.SENDING, claim=token, claimed_at=at, attempts=F("attempts") + 1):
            continue  # another sender took it
        r = Reminder.objects.get(pk=pk)
        try:
            provider_id = backend.send(r.to, r.text, kind=r.kind, loan_id=r.loan_id)
        except Exception as exc:  # noqa: BLE001 — any failure of the platform is the message's, recorded on it
            error = str(exc) if isinstance(exc, SmsError) else f"短信平台出错（{type(exc).__name__}）"
            if rules.after_failure(r.attempts, r.max_attempts) == "retry":
                fields = {"status": ReminderStatus.QUEUED, "send_after": at + rules.retry_delay(r.attempts)}
                counts["retry"] += 1
            else:
                fields = {"status": ReminderStatus.FAILED}
                counts["failed"] += 1
            Reminder.objects.filter(pk=pk, claim=token).update(last_error=error[:500], claim="", **fields)
            continue
        Reminder.objects.filter(pk=pk, claim=token).update(status=ReminderStatus.SENT, sent_at=at,
                                                           provider_id=str(provider_id)[:100], claim="", last_error="")
        counts["sent"] += 1
    return counts


def reminder_receipt(*, provider_id: str, delivered: bool, error: str = "") -> bool:
    """A platform's delivery receipt: sent → delivered, or failed with its error. False when unknown."""
    fields = {"status": ReminderStatus.DELIVERED, "delivered_at": now()} if delivered else \
        {"status": ReminderStatus.FAILED, "last_error": (error or "短信平台回执：未送达")[:500]}
    return bool(Reminder.objects.filter(provider_id=provider_id, status=ReminderStatus.SENT).update(**fields))


def reminder_retry(*, actor, reminder: Reminder) -> Reminder:
    """Send a failed message again (county office, administrator): queued now, its tries counted afresh."""
    if not actor.has_perm("reminders.manage_reminder") or not Scope.of(actor).covers(reminder.region_code):
        raise ReminderConflict("reminder", "无权重发该提醒")
    if not reminder.to:
        raise ReminderConflict("reminder", "该农户没有手机号，请由村金融服务室人工送达")
    with transaction.atomic():
        done = Reminder.objects.filter(pk=reminder.pk, status=ReminderStatus.FAILED).update(
            status=ReminderStatus.QUEUED, attempts=0, send_after=now())
        if not done:
            raise ReminderConflict("reminder", "只有发送失败的短信可以重发")
        record_audit(actor=actor, action="reminder.retry", obj=reminder, before={"status": reminder.status},
                     after={"status": ReminderStatus.QUEUED}, region_code=reminder.region_code,
                     household_id=reminder.household_id)
        transaction.on_commit(request_sending)
    reminder.refresh_from_db()
    return reminder


def reminder_hand_delivered(*, actor, reminder: Reminder, note: str = "") -> Reminder:
    """The village (or township) clerk delivered the reminder by phone call or visit."""
    if not actor.has_perm("reminders.deliver_reminder") or not Scope.of(actor).covers(reminder.region_code):
        raise ReminderConflict("reminder", "无权登记该提醒的送达")
    note = (note or "").strip()
    if len(note) > 200 or "\x00" in note:
        raise ReminderError([FieldError("note", "送达说明不能超过 200 个字符")])
    with transaction.atomic():
        done = Reminder.objects.filter(pk=reminder.pk, status__in=[ReminderStatus.BY_HAND, ReminderStatus.FAILED]) \
            .update(status=ReminderStatus.HANDED, handed_by=actor, handed_note=note, delivered_at=now())
        if not done:
            raise ReminderConflict("reminder", "该提醒不在待人工送达之列")
        record_audit(actor=actor, action="reminder.hand", obj=reminder, before={"status": reminder.status},
                     after={"status": ReminderStatus.HANDED, "note": note}, region_code=reminder.region_code,
                     household_id=reminder.household_id)
    reminder.refresh_from_db()
    return reminder
