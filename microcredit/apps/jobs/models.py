"""Background jobs with progress (ARCHITECTURE §7): imports, the daily close, report files.

A running job is held by one worker under a lease (`worker`, `lease_until`) that the worker
renews while the handler runs; a job whose lease ran out belonged to a dead worker and is
queued again (up to a few `attempts`) or failed (docs/decisions/0005-job-queue.md).
A job is scoped like its subject: `region_code` (the smallest region containing everything it
touches, "" = the whole system) and `bank` (a bank's own work), fixed at enqueue.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Job(models.Model):
    kind = models.CharField(_("任务类型"), max_length=40, db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    progress = models.PositiveIntegerField(_("进度"), default=0)
    total = models.PositiveIntegerField(_("总量"), default=0)
    message = models.TextField(_("消息"), blank=True)
    result = models.JSONField(_("结果"), null=True, blank=True)
    file = models.FileField(_("文件"), upload_to="jobs/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    region_code = models.CharField(_("区划代码"), max_length=15, blank=True, db_index=True)
    bank = models.ForeignKey(
        "reference.Bank", verbose_name=_("银行"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    worker = models.CharField(_("后台进程"), max_length=120, blank=True)
    lease_until = models.DateTimeField(_("租约到期"), null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("运行次数"), default=0)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def percent(self) -> int:
        return 100 if self.status == JobStatus.DONE else (self.progress * 100 // self.total if self.total else 0)
