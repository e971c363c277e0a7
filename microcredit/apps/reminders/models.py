"""Reminders (DOMAIN §8, issue #12 §2): each county's settings, and the outbox — one row per loan ×
due date × kind, sent by SMS or, for a household without a mobile number, delivered by hand by the
village clerk."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from microcredit.domain import reminders as rules


class ReminderSettings(models.Model):
    """One county's reminder settings (its 6-digit code); a county without a row uses the defaults."""

    county_code = models.CharField(_("县代码"), max_length=6, unique=True)
    early_days = models.PositiveSmallIntegerField(_("提前提醒天数"), default=rules.DEFAULT_OFFSETS.early)
    near_days = models.PositiveSmallIntegerField(_("临近提醒天数"), default=rules.DEFAULT_OFFSETS.near)
    overdue_days = models.PositiveSmallIntegerField(_("逾期提醒天数"), default=rules.DEFAULT_OFFSETS.overdue)
    quiet_start = models.TimeField(_("免打扰开始"), default=rules.DEFAULT_QUIET.start)
    quiet_end = models.TimeField(_("免打扰结束"), default=rules.DEFAULT_QUIET.end)
    horizon_months = models.PositiveSmallIntegerField(_("到期提醒名单月数"), default=rules.DEFAULT_HORIZON_MONTHS)
    max_attempts = models.PositiveSmallIntegerField(_("最多发送次数"), default=rules.DEFAULT_MAX_ATTEMPTS)
    template_early = models.CharField(_("提前提醒模板"), max_length=rules.MAX_TEMPLATE_LENGTH,
                                      default=rules.DEFAULT_TEMPLATES[rules.EARLY])
    template_near = models.CharField(_("临近提醒模板"), max_length=rules.MAX_TEMPLATE_LENGTH,
                                     default=rules.DEFAULT_TEMPLATES[rules.NEAR])
    template_overdue = models.CharField(_("逾期提醒模板"), max_length=rules.MAX_TEMPLATE_LENGTH,
                                        default=rules.DEFAULT_TEMPLATES[rules.OVERDUE])
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("提醒设置")
        verbose_name_plural = _("提醒设置")
        default_permissions = ()

    def __str__(self) -> str:
        return f"提醒设置 {self.county_code}"


class ReminderKind(models.TextChoices):
    EARLY = rules.EARLY, _("到期前提醒（提前）")
    NEAR = rules.NEAR, _("到期前提醒（临近）")
    OVERDUE = rules.OVERDUE, _("逾期提醒")


class ReminderStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("发送失败")
    BY_HAND = "by_hand", _("待人工送达")
    HANDED = "handed", _("已人工送达")


class Reminder(models.Model):
    """One reminder of one loan's due date (an outbox message): never two for the same loan × due date × kind."""

    loan = models.ForeignKey("loans.Loan", verbose_name=_("贷款"), on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("households.Household", verbose_name=_("农户"), on_delete=models.PROTECT,
                                  related_name="+")
    region_code = models.CharField(_("区划代码"), max_length=15, db_index=True)
    bank = models.ForeignKey("reference.Bank", verbose_name=_("贷款银行"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("提醒类型"), max_length=10, choices=ReminderKind.choices)
    due_date = models.DateField(_("应还日"))
    amount = models.BigIntegerField(_("应还金额（分）"))
    created_on = models.DateField(_("生成日期"), db_index=True)
    to = models.CharField(_("手机号"), max_length=20, blank=True)
    text = models.CharField(_("短信内容"), max_length=1000)
    status = models.CharField(_("状态"), max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.QUEUED,
                              db_index=True)
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("最多发送次数"), default=rules.DEFAULT_MAX_ATTEMPTS)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    send_after = models.DateTimeField(_("计划发送时间"), db_index=True)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    claim = models.CharField(_("领取标识"), max_length=40, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    provider_id = models.CharField(_("短信平台流水号"), max_length=100, blank=True)
    handed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("送达人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    handed_note = models.CharField(_("送达说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("还款提醒")
        verbose_name_plural = _("还款提醒")
        ordering = ["-created_on", "region_code", "id"]
        default_permissions = ("view",)
        permissions = [("manage_reminder", _("修改提醒设置、重发短信")), ("deliver_reminder", _("登记人工送达提醒"))]
        constraints = [models.UniqueConstraint(fields=["loan", "due_date", "kind"], name="reminder_once_per_due_kind")]
        indexes = [models.Index(fields=["status", "send_after"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_date}"
