"""The problem ledger 问题台账 (DOMAIN §8, §12; issue #12 §6): one case per finding, its steps and the
rectification's documents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microcredit.apps.core.models import TransitionRecord
from microcredit.domain.problems import OPEN_STATES, OWNER_ROLES, SOURCES
from microcredit.domain.workflow import PROBLEM_CASE


class Case(models.Model):
    number = models.CharField(_("案件编号"), max_length=24, unique=True)
    source = models.CharField(_("问题来源"), max_length=16, choices=[(k, _(v)) for k, v in SOURCES.items()])
    region_code = models.CharField(_("所属区划"), max_length=15, db_index=True)
    household_id = models.BigIntegerField(_("关联农户"), null=True, blank=True)
    loan_id = models.BigIntegerField(_("关联贷款"), null=True, blank=True)
    bank = models.ForeignKey("reference.Bank", verbose_name=_("关联银行"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("涉及对象"), max_length=200, blank=True)
    title = models.CharField(_("问题标题"), max_length=200)
    description = models.TextField(_("问题描述"), blank=True)
    evidence = models.JSONField(_("证据明细"), null=True, blank=True, default=None)
    owner_role = models.CharField(_("整改责任单位"), max_length=20, blank=True,
                                  choices=[(k, _(v)) for k, v in OWNER_ROLES.items()])
    owner_region = models.CharField(_("整改责任区划"), max_length=15, blank=True, db_index=True)
    owner_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("整改责任人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    rectification = models.TextField(_("整改情况"), blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=PROBLEM_CASE.choices(), default=PROBLEM_CASE.initial,
                             db_index=True)
    state_entered_on = models.DateField(_("进入本环节日期"))
    due_anchor = models.DateField(_("时限起算日"))  # the kit's entry date: deadline − 1 day while 整改中
    dedupe_key = models.CharField(_("去重键"), max_length=120, null=True, blank=True, db_index=True)
    found_count = models.PositiveIntegerField(_("发现次数"), default=1)
    last_found_on = models.DateField(_("最近发现日期"))
    opened_on = models.DateField(_("立案日期"))
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("立案人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("问题案件")
        verbose_name_plural = _("问题案件")
        ordering = ["-opened_on", "-id"]
        permissions = [("open_case", "可登记问题")]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], condition=Q(state__in=OPEN_STATES, dedupe_key__isnull=False),
                                    name="problems_one_open_case_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CaseStep(TransitionRecord):
    case = models.ForeignKey(Case, verbose_name=_("问题案件"), on_delete=models.CASCADE, related_name="steps")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("问题案件流转记录")
        verbose_name_plural = _("问题案件流转记录")


class CaseDocument(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("问题案件"), on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("文件"), upload_to="problems/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=120)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("整改佐证材料")
        verbose_name_plural = _("整改佐证材料")
        ordering = ["uploaded_at", "id"]
