"""Reference data: partner banks and branches, reference rates, policy eras (DOMAIN §4, §11).

Rates and eras are effective-dated and never edited in place: a change is a new version row
that supersedes the old one (`superseded_by`), so the history of every figure is kept.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from microcredit.domain.households import HOUSEHOLD_STATUS_LABELS


class Bank(models.Model):
    code = models.CharField(_("银行代码"), max_length=16, unique=True)
    name = models.CharField(_("银行名称"), max_length=64)
    short_name = models.CharField(_("简称"), max_length=16)

    class Meta:
        verbose_name = _("合作银行")
        verbose_name_plural = _("合作银行")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.short_name or self.name


class Branch(models.Model):
    bank = models.ForeignKey(Bank, verbose_name=_("银行"), on_delete=models.PROTECT, related_name="branches")
    name = models.CharField(_("网点名称"), max_length=64)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("银行网点")
        verbose_name_plural = _("银行网点")
        ordering = ["bank", "name"]

    def __str__(self) -> str:
        return f"{self.bank} {self.name}"


class VersionedQuerySet(models.QuerySet):
    def current(self):
        """Rows in force (not superseded by a later version)."""
        return self.filter(superseded_by__isnull=True)


class VersionedRecord(models.Model):
    """A row that is never edited: a change is a new row, and the old one points to it."""

    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    superseded_by = models.ForeignKey(
        "self", verbose_name=_("被替代为"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("修改原因"), max_length=200, blank=True)

    objects = VersionedQuerySet.as_manager()

    class Meta:
        abstract = True


class ReferenceRate(VersionedRecord):
    """One fixing of a reference rate (PBoC benchmark or LPR), DOMAIN §11."""

    KIND_CHOICES = [("benchmark", "人民银行基准利率"), ("lpr", "贷款市场报价利率 LPR")]
    # Tenor vocabulary of domain/rates.py: benchmark 1y / 1-5y / 5y+; LPR 1y / 5y (5Y+ LPR).
    TENOR_CHOICES = [
        ("1y", "一年以内（含）/ 一年期"), ("1-5y", "一至五年（含）"), ("5y+", "五年以上"),
        ("5y", "五年期以上（LPR）"),
    ]

    kind = models.CharField(_("类型"), max_length=10, choices=KIND_CHOICES)
    tenor = models.CharField(_("期限"), max_length=5, choices=TENOR_CHOICES)
    effective_from = models.DateField(_("生效日期"))
    rate = models.DecimalField(_("年利率（%）"), max_digits=7, decimal_places=4)

    class Meta:
        verbose_name = _("基准利率")
        verbose_name_plural = _("基准利率")
        ordering = ["kind", "tenor", "effective_from", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_tenor_display()} {self.effective_from} {self.rate}%"


class PolicyEra(VersionedRecord):
    """A policy era's terms (DOMAIN §4): effective-dated, versioned like rates."""

    RATE_BASIS_CHOICES = [
        ("benchmark", "人民银行基准利率"), ("lpr", "LPR（一年期/五年期）"), ("setting", "按设定上限"),
    ]

    code = models.CharField(_("代码"), max_length=16)
    name = models.CharField(_("名称"), max_length=32)
    effective_from = models.DateField(_("起始日期"))
    max_amount = models.BigIntegerField(_("户均额度上限（分）"))
    max_term_months = models.PositiveIntegerField(_("期限上限（月）"))
    rate_basis = models.CharField(_("利率上限依据"), max_length=10, choices=RATE_BASIS_CHOICES)
    cap_rate = models.DecimalField(
        _("设定利率上限（%）"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    eligible_statuses = models.JSONField(_("可贷对象身份"), default=list)
    min_age = models.PositiveIntegerField(_("最低年龄"), default=18)
    max_age = models.PositiveIntegerField(_("最高年龄"), default=65)
    subsidy_ratio = models.DecimalField(_("贴息比例"), max_digits=5, decimal_places=4)
    subsidy_max_years = models.PositiveIntegerField(_("贴息年限"), default=3)

    class Meta:
        verbose_name = _("政策期")
        verbose_name_plural = _("政策期")
        ordering = ["effective_from", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.effective_from}起）"

    @property
    def eligible_status_labels(self) -> list[str]:
        return [str(HOUSEHOLD_STATUS_LABELS.get(s, s)) for s in self.eligible_statuses]
