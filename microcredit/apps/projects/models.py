"""Legacy 分贷统还 projects (DOMAIN §4; seeds S0 湖南, S2 道县): the register with its grade and white
list, the three-party co-managed account, the staged release of the money by progress, the households
and their shares, and the link agreement's payouts to each household."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from microcredit.domain.projects import (
    ENTERPRISE_KINDS,
    GRADES,
    PAYOUT_GRACE_DAYS,
    PAYOUT_RATE_BP,
)


class Project(models.Model):
    number = models.CharField(_("项目编号"), max_length=24, unique=True)
    name = models.CharField(_("项目名称"), max_length=100)
    enterprise_name = models.CharField(_("实施主体"), max_length=100)
    enterprise_kind = models.CharField(_("主体类型"), max_length=16, choices=[(k, _(v)) for k, v in ENTERPRISE_KINDS.items()])
    region_code = models.CharField(_("所属区划"), max_length=15, db_index=True)
    bank = models.ForeignKey("reference.Bank", verbose_name=_("合作银行"), on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(_("分级"), max_length=8, choices=[(k, _(v)) for k, v in GRADES.items()], default="fair")
    white_listed = models.BooleanField(_("列入白名单"), default=False)
    account_number = models.CharField(_("三方共管账户"), max_length=32, blank=True)
    party_government = models.CharField(_("共管方（县乡村振兴局）"), max_length=100, blank=True)
    party_bank = models.CharField(_("共管方（银行）"), max_length=100, blank=True)
    party_enterprise = models.CharField(_("共管方（实施主体）"), max_length=100, blank=True)
    agreement_on = models.DateField(_("带动协议签订日"))
    payout_rate_bp = models.PositiveIntegerField(_("年分红比例（基点）"), default=PAYOUT_RATE_BP)
    payout_years = models.PositiveSmallIntegerField(_("分红年限"), default=3)
    grace_days = models.PositiveSmallIntegerField(_("分红宽限天数"), default=PAYOUT_GRACE_DAYS)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("分贷统还项目")
        verbose_name_plural = _("分贷统还项目")
        ordering = ["number"]
        permissions = [("manage_project", "可管理分贷统还项目")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Participant(models.Model):
    """A household in the project: its loan and its share of the money (fen)."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="participants")
    household = models.ForeignKey("households.Household", verbose_name=_("农户"), on_delete=models.PROTECT,
                                  related_name="+")
    loan = models.ForeignKey("loans.Loan", verbose_name=_("贷款"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    share = models.BigIntegerField(_("贷款份额（分）"))

    class Meta:
        verbose_name = _("参与农户")
        verbose_name_plural = _("参与农户")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["project", "household"], name="projects_one_row_per_household"),
                       models.UniqueConstraint(fields=["loan"], name="projects_loan_in_one_project")]


class Stage(models.Model):
    """One stage of the staged release (分期分批拨付) by the project's progress."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="stages")
    seq = models.PositiveSmallIntegerField(_("期次"))
    planned_amount = models.BigIntegerField(_("计划拨付（分）"))
    progress_note = models.TextField(_("进度说明"), blank=True)
    progress_document = models.FileField(_("进度佐证"), upload_to="projects/%Y/%m/", blank=True)
    released_amount = models.BigIntegerField(_("已拨付（分）"), default=0)
    released_on = models.DateField(_("拨付日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("拨付阶段")
        verbose_name_plural = _("拨付阶段")
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["project", "seq"], name="projects_stage_seq")]


class Payout(models.Model):
    """One payout owed under the link agreement (带动协议分红) to one household, and its payment."""

    participant = models.ForeignKey(Participant, verbose_name=_("参与农户"), on_delete=models.CASCADE,
                                    related_name="payouts")
    year = models.PositiveSmallIntegerField(_("年度"))
    due_on = models.DateField(_("应付日期"), db_index=True)
    minimum = models.BigIntegerField(_("应付最低额（分）"))
    paid_amount = models.BigIntegerField(_("实付金额（分）"), null=True, blank=True)
    paid_on = models.DateField(_("支付日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    late_flagged_on = models.DateField(_("逾期转问题日期"), null=True, blank=True)
    case_id = models.BigIntegerField(_("问题案件"), null=True, blank=True)

    class Meta:
        verbose_name = _("带动分红")
        verbose_name_plural = _("带动分红")
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["participant", "year"], name="projects_payout_year")]
