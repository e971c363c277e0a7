"""Risk flags and post-loan checks (贷后管理, DOMAIN §8).

A :class:`RiskFlag` is set on a loan or on a household (then it applies to the household's active
loans) and later cleared; the row keeps both halves (who, when, why). A :class:`PostLoanCheck` is
one usage check of a loan (who, when, finding, photo, GPS). The loan's cached ``risk_flag``
is kept by ``postloan.services`` through ``loans.services.loan_risk_flag_set``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from microcredit.domain.postloan import FLAG_LABELS, MAX_FINDING, MAX_REASON

USER = settings.AUTH_USER_MODEL


class FlagKind(models.TextChoices):
    DEATH = "death", _("死亡")
    ILLNESS = "illness", _("重大疾病")
    DISASTER = "disaster", _("重大灾害")
    USAGE_FAILED = "usage_failed", _("贷款用途核查未通过")
    MIGRATION = "migration", _("外出务工/迁移")


assert set(FlagKind.values) == set(FLAG_LABELS)  # one vocabulary (domain.postloan)


class RiskFlag(models.Model):
    kind = models.CharField(_("风险类型"), max_length=16, choices=FlagKind.choices)
    loan = models.ForeignKey("loans.Loan", verbose_name=_("贷款"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="postloan_flags")
    household = models.ForeignKey("households.Household", verbose_name=_("农户"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="postloan_flags")
    region_code = models.CharField(_("区划代码"), max_length=15, db_index=True)
    reason = models.CharField(_("原因"), max_length=MAX_REASON)
    set_on = models.DateField(_("标记日期"))
    set_by = models.ForeignKey(USER, verbose_name=_("标记人"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    set_at = models.DateTimeField(_("标记时间"), auto_now_add=True)
    from_check = models.ForeignKey("PostLoanCheck", verbose_name=_("来自贷后检查"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    cleared_on = models.DateField(_("解除日期"), null=True, blank=True)
    cleared_by = models.ForeignKey(USER, verbose_name=_("解除人"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    cleared_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    clear_reason = models.CharField(_("解除原因"), max_length=MAX_REASON, blank=True)

    class Meta:
        verbose_name = _("风险标识")
        verbose_name_plural = _("风险标识")
        ordering = ["-set_on", "-id"]
        indexes = [models.Index(fields=["region_code", "cleared_on"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(loan__isnull=False, household__isnull=True)
                                   | models.Q(loan__isnull=True, household__isnull=False),
                                   name="riskflag_one_subject"),
            models.UniqueConstraint(fields=["loan", "kind"], condition=models.Q(cleared_on__isnull=True,
                                                                              loan__isnull=False),
                                    name="riskflag_one_open_per_loan_kind"),
            models.UniqueConstraint(fields=["household", "kind"], condition=models.Q(cleared_on__isnull=True,
                                                                                   household__isnull=False),
                                    name="riskflag_one_open_per_household_kind"),
        ]
        permissions = [
            ("view_check", "查看贷后检查与风险标识"),
            ("record_check", "登记贷后检查"),
            ("manage_flag", "设置、解除风险标识"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.loan or self.household}）"

    @property
    def is_open(self) -> bool:
        return self.cleared_on is None


class CheckResult(models.TextChoices):
    PASSED = "passed", _("通过")
    FAILED = "failed", _("未通过")


def _photo_to(instance, filename: str) -> str:
    return f"postloan/{instance.loan_id}/{filename}"


class PostLoanCheck(models.Model):
    """One usage check of a loan (贷后检查)."""

    loan = models.ForeignKey("loans.Loan", verbose_name=_("贷款"), on_delete=models.PROTECT,
                             related_name="postloan_checks")
    region_code = models.CharField(_("区划代码"), max_length=15, db_index=True)
    due_on = models.DateField(_("应检查日期"))
    checked_on = models.DateField(_("检查日期"), db_index=True)
    checked_by = models.ForeignKey(USER, verbose_name=_("检查人"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    result = models.CharField(_("检查结论"), max_length=8, choices=CheckResult.choices)
    finding = models.CharField(_("检查情况"), max_length=MAX_FINDING, blank=True)
    photo = models.FileField(_("照片"), upload_to=_photo_to, blank=True)
    photo_type = models.CharField(_("照片类型"), max_length=64, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("贷后检查")
        verbose_name_plural = _("贷后检查")
        ordering = ["-checked_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(latitude__gte=-90, latitude__lte=90) | models.Q(latitude__isnull=True),
                                   name="postloancheck_latitude"),
            models.CheckConstraint(condition=models.Q(longitude__gte=-180, longitude__lte=180)
                                   | models.Q(longitude__isnull=True), name="postloancheck_longitude"),
        ]

    def __str__(self) -> str:
        return f"{self.loan} {self.checked_on} {self.get_result_display()}"
