"""Results of the daily close (日终, DOMAIN §8): runs, current state per loan, month-end
snapshots, aggregates per village/township/county/bank. All written set-based by
`microcredit.apps.monitoring.close` (bulk/COPY), never one save per loan.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microcredit.domain.bounds import MAX_FEN, MAX_YEAR, MIN_YEAR
from microcredit.domain.classification import CLASS_LABELS, CLASSES, npl_ratio

LIGHTS = [("red", "红灯"), ("yellow", "黄灯"), ("green", "绿灯")]
CLASS_CHOICES = [(c, CLASS_LABELS[c]) for c in CLASSES]


class CloseRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("运行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    business_date = models.DateField(_("业务日期"), unique=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    loans = models.PositiveIntegerField(_("贷款笔数"), default=0)
    changed = models.PositiveIntegerField(_("状态变化笔数"), default=0)
    fallback = models.PositiveIntegerField(_("逐笔计算笔数"), default=0)
    seconds = models.FloatField(_("耗时（秒）"), default=0)
    runs = models.PositiveIntegerField(_("运行次数"), default=0)
    message = models.TextField(_("消息"), blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # The newest LoanEvent id the close saw (read under its lock): an event with a larger id
    # dated on/before this date was posted after the close, which makes it stale (ADR 0002).
    event_watermark = models.BigIntegerField(_("已计入的最新贷款事件"), null=True, blank=True)
    stale = models.BooleanField(_("需重跑"), default=False,
                                help_text=_("日终之后又登记了该日或更早日期的业务，下次日终从该日重跑"))

    class Meta:
        verbose_name = _("日终批处理")
        verbose_name_plural = _("日终批处理")
        ordering = ["-business_date"]
        permissions = [("view_close", "查看日终批处理"), ("run_close", "运行日终批处理")]


class _StateFields(models.Model):
    as_of = models.DateField(_("日期"))
    region_code = models.CharField(_("区划代码"), max_length=15)
    bank_id = models.BigIntegerField(_("银行"))
    household_id = models.BigIntegerField(_("农户"))
    days_past_due = models.IntegerField(_("逾期天数"))
    classification = models.CharField(_("五级分类"), max_length=16, choices=CLASS_CHOICES)
    principal_outstanding = models.BigIntegerField(_("贷款余额（分）"))
    overdue_principal = models.BigIntegerField(_("逾期本金（分）"))
    overdue_interest = models.BigIntegerField(_("欠息（分）"))
    penalty_owed = models.BigIntegerField(_("应付罚息（分）"))
    advance = models.BigIntegerField(_("预收款（分）"))
    next_due_date = models.DateField(_("下次应还日"), null=True)
    warning_light = models.CharField(_("预警灯"), max_length=6, choices=LIGHTS)

    class Meta:
        abstract = True


class LoanDayState(_StateFields):
    """The state of each loan as of the last close (one row per loan, replaced each close)."""

    loan = models.OneToOneField("loans.Loan", primary_key=True, on_delete=models.CASCADE,
                                related_name="day_state", db_constraint=False)

    class Meta:
        verbose_name = _("贷款日终状态")
        verbose_name_plural = _("贷款日终状态")
        # varchar_pattern_ops: the database's collation is not C, so a plain btree cannot serve the scope's
        # ``LIKE 'prefix%'`` (opclasses are ignored on SQLite).
        indexes = [
            models.Index(fields=["region_code"], name="day_state_region_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["warning_light", "region_code"], name="day_state_light_region_prefix",
                         opclasses=["varchar_pattern_ops", "varchar_pattern_ops"]),
        ]


class LoanMonthSnapshot(_StateFields):
    """The state of each loan at a month end (history)."""

    loan_id_value = models.BigIntegerField(_("贷款"))

    class Meta:
        verbose_name = _("贷款月末快照")
        verbose_name_plural = _("贷款月末快照")
        constraints = [models.UniqueConstraint(fields=["as_of", "loan_id_value"], name="month_snapshot_unique")]


class Aggregate(models.Model):
    """Indicators per region level (village/township/county) or bank, as of a close date."""

    as_of = models.DateField(_("日期"), db_index=True)
    level = models.CharField(_("层级"), max_length=10)
    code = models.CharField(_("区划代码"), max_length=15, blank=True)
    bank_id = models.BigIntegerField(_("银行（0 = 全部）"), default=0)
    loans = models.BigIntegerField(_("在贷笔数"))
    households = models.BigIntegerField(_("在贷户数"))
    balance = models.BigIntegerField(_("贷款余额（分）"))
    overdue_balance = models.BigIntegerField(_("逾期贷款余额（分）"))
    npl_balance = models.BigIntegerField(_("不良贷款余额（分）"))
    overdue_loans = models.BigIntegerField(_("逾期笔数"))
    npl_loans = models.BigIntegerField(_("不良笔数"))
    red = models.BigIntegerField(_("红灯"))
    yellow = models.BigIntegerField(_("黄灯"))
    green = models.BigIntegerField(_("绿灯"))
    penalty = models.BigIntegerField(_("应付罚息（分）"))

    class Meta:
        verbose_name = _("监测指标")
        verbose_name_plural = _("监测指标")
        constraints = [models.UniqueConstraint(fields=["as_of", "level", "code", "bank_id"], name="aggregate_unique")]

    @property
    def npl_ratio(self):
        return npl_ratio(self.balance, self.npl_balance)

    @property
    def overdue_ratio(self):
        return self.overdue_balance / self.balance if self.balance else 0


class Suspension(models.Model):
    """A circuit breaker in force (熔断, DOMAIN §8): recorded by the daily close, lifted by a decision."""

    class Level(models.TextChoices):
        VILLAGE = "village", _("村")
        TOWNSHIP = "township", _("乡镇")
        BANK = "bank", _("银行")

    class Rule(models.TextChoices):
        """Which of the DOMAIN §8 breakers called for it ("" on rows recorded before the rules were named)."""

        VILLAGE_NPL = "village_npl", _("村不良率超限")
        TOWNSHIP_SHARE = "township_share", _("乡镇熔断村占比超限")
        BANK_NPL = "bank_npl", _("银行不良率超限")
        RECOVERY = "recovery", _("年内到期贷款按期收回率连续3个月低于98%")

    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    rule = models.CharField(_("熔断规则"), max_length=16, choices=Rule.choices, blank=True, default="")
    region_code = models.CharField(_("区划代码"), max_length=15, blank=True, db_index=True)
    bank = models.ForeignKey("reference.Bank", verbose_name=_("银行"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("熔断原因"), max_length=200)
    since = models.DateField(_("熔断日期"))
    lifted_on = models.DateField(_("解除日期"), null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("解除人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    decision = models.TextField(_("解除决定"), blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("风险熔断")
        verbose_name_plural = _("风险熔断")
        ordering = ["-since", "level", "region_code"]
        permissions = [("lift_suspension", "解除风险熔断")]
        constraints = [
            models.UniqueConstraint(fields=["level", "region_code"], name="suspension_one_open_region",
                                    condition=Q(lifted_on__isnull=True, bank__isnull=True)),
            models.UniqueConstraint(fields=["level", "bank"], name="suspension_one_open_bank",
                                    condition=Q(lifted_on__isnull=True, bank__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.region_code or self.bank} 熔断（{self.since}）"

    @property
    def is_open(self) -> bool:
        return self.lifted_on is None


class IndicatorFigure(models.Model):
    """The DOMAIN §9 figures the ``Aggregate`` rows do not hold, per region level and bank, as of a close
    date: written at the end of each close (``indicators.record_figures``) so the indicators API reads
    rows instead of scanning loans and instalments. Kept: the latest close date and every month end."""

    as_of = models.DateField(_("日期"))
    level = models.CharField(_("层级"), max_length=10)
    code = models.CharField(_("区划代码"), max_length=15)
    bank_id = models.BigIntegerField(_("银行（0 = 全部）"), default=0)
    households_eligible = models.BigIntegerField(_("符合条件农户数"))
    households_borrowed_ever = models.BigIntegerField(_("累计获贷户数"))
    cumulative_amount = models.BigIntegerField(_("累计放款金额（分）"))
    cumulative_loans = models.BigIntegerField(_("累计放款笔数"))
    due_in_period = models.BigIntegerField(_("本月到期应还（分）"))
    repaid_on_time_in_period = models.BigIntegerField(_("本月按期归还（分）"))

    class Meta:
        verbose_name = _("监测指标（累计与到期）")
        verbose_name_plural = _("监测指标（累计与到期）")
        constraints = [models.UniqueConstraint(fields=["as_of", "level", "code", "bank_id"],
                                               name="indicator_figure_unique")]


class LadderFigure(models.Model):
    """到期分布 (DOMAIN §9) kept by the close: the unpaid principal of the current schedules' instalments
    due in one calendar month of the 12 after ``as_of``, and the loans they belong to, per region level
    and bank (0 = all). Written at the end of each close (``indicators.record_ladder``) so the dashboard
    reads rows instead of grouping instalments. Kept like IndicatorFigure: the latest close and every
    month end."""

    as_of = models.DateField(_("日期"))
    level = models.CharField(_("层级"), max_length=10)
    code = models.CharField(_("区划代码"), max_length=15)
    bank_id = models.BigIntegerField(_("银行（0 = 全部）"), default=0)
    month = models.DateField(_("到期月份（月初）"))
    principal = models.BigIntegerField(_("未还本金（分）"))
    loans = models.BigIntegerField(_("贷款笔数"))

    class Meta:
        verbose_name = _("到期分布")
        verbose_name_plural = _("到期分布")
        constraints = [models.UniqueConstraint(fields=["as_of", "level", "code", "bank_id", "month"],
                                               name="ladder_figure_unique")]


class LendingTarget(models.Model):
    """年度放贷目标 (issue #12 item 8, REPORTS §9 年度计划): the amount a county sets for a year's new lending of
    a region (county, township or village code) — for all banks (``bank`` empty) or for one bank there.
    The ranking 周点评/月通报 shows 累计新增 this year against it (计划完成率) and the time-progress line."""

    year = models.PositiveSmallIntegerField(_("年度"))
    region_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    bank = models.ForeignKey("reference.Bank", verbose_name=_("银行"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(_("目标金额（分）"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("年度放贷目标")
        verbose_name_plural = _("年度放贷目标")
        ordering = ["-year", "region_code", "bank_id"]
        permissions = [("set_target", "设定年度放贷目标")]
        constraints = [
            models.UniqueConstraint(fields=["year", "region_code"], name="lending_target_region",
                                    condition=Q(bank__isnull=True)),
            models.UniqueConstraint(fields=["year", "region_code", "bank"], name="lending_target_bank",
                                    condition=Q(bank__isnull=False)),
            models.CheckConstraint(condition=Q(amount__gte=0, amount__lte=MAX_FEN), name="lending_target_amount"),
            models.CheckConstraint(condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="lending_target_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.region_code}{f' {self.bank}' if self.bank_id else ''} 放贷目标"
