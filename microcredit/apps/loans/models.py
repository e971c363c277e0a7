"""Loan accounts, their schedules and their immutable events (DOMAIN §5, ARCHITECTURE §4).

A loan's truth is its terms + its events. The columns under "cached state" are derived by
`domain.servicing.loan_state` (and by the daily close) and can always be rebuilt from events.
Money is integer fen; rates are Decimal percent per year.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from microcredit.apps.core.models import TransitionRecord
from microcredit.domain.classification import CLASS_LABELS, CLASSES, REASON_LABELS
from microcredit.domain.restructuring import REQUEST_KINDS
from microcredit.domain.schedules import METHOD_LABELS, METHODS
from microcredit.domain.workflow import CLASSIFICATION_MOVE, EXTENSION


class LoanStatus(models.TextChoices):
    ACTIVE = "active", _("在贷")
    SETTLED = "settled", _("已结清")
    RENEWED = "renewed", _("已续贷")
    WRITTEN_OFF = "written_off", _("已核销")


class UsageMode(models.TextChoices):
    SELF = "self", _("户贷户用·自我发展")
    PARTNERSHIP = "partnership", _("户贷户用·合伙发展")
    COOP_MANAGED = "coop_managed", _("户贷社管·合作发展")
    COOP_JOINT = "coop_joint", _("户贷社管·合营发展")
    LEGACY_POOLED = "legacy_pooled", _("分贷统还（存量项目）")


class SubsidyMode(models.TextChoices):
    """How the interest subsidy reaches the loan (DOMAIN §6, ADR 0004)."""

    CLAIM = "claim", _("先收后补")
    DIRECT = "direct", _("直接贴付")


class Loan(models.Model):
    number = models.CharField(_("借据号"), max_length=32, unique=True)
    household = models.ForeignKey("households.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="loans")
    borrower = models.ForeignKey("households.Member", verbose_name=_("借款人"), on_delete=models.PROTECT, related_name="loans")
    bank = models.ForeignKey("reference.Bank", verbose_name=_("贷款银行"), on_delete=models.PROTECT, related_name="loans")
    branch = models.ForeignKey("reference.Branch", verbose_name=_("网点"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("区划代码"), max_length=15, db_index=True)
    policy_era = models.CharField(_("政策期"), max_length=16)
    principal = models.BigIntegerField(_("贷款金额（分）"))
    annual_rate = models.DecimalField(_("执行年利率（%）"), max_digits=7, decimal_places=4)
    cap_rate = models.DecimalField(_("利率上限（%）"), max_digits=7, decimal_places=4)
    subsidy_ratio = models.DecimalField(_("贴息比例"), max_digits=5, decimal_places=4, default=1)
    subsidy_max_years = models.PositiveSmallIntegerField(_("贴息年限"), default=3)  # the era's, at disbursement
    # Set at disbursement from the county × bank's fund account (ADR 0004 amendment): the mode of the periods
    # due on/after the latest change. ``subsidy_mode_changes`` is null until the mode is changed
    # (loans.servicing.loan_subsidy_mode_change), then [{"effective_from", "mode", "before"}, …] in date order.
    subsidy_mode = models.CharField(_("贴息方式"), max_length=8, choices=SubsidyMode.choices, default=SubsidyMode.CLAIM)
    subsidy_mode_changes = models.JSONField(_("贴息方式变更"), null=True, blank=True, default=None)
    disbursed_on = models.DateField(_("放款日期"), db_index=True)
    term_months = models.PositiveIntegerField(_("期限（月）"))
    maturity_date = models.DateField(_("到期日期"), db_index=True)
    method = models.CharField(_("还款方式"), max_length=20, choices=list(METHOD_LABELS.items()))
    usage_mode = models.CharField(_("使用方式"), max_length=16, choices=UsageMode.choices, default=UsageMode.SELF)
    industry = models.CharField(_("产业"), max_length=32, blank=True)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    account_number = models.CharField(_("放款账户"), max_length=32, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=LoanStatus.choices, default=LoanStatus.ACTIVE, db_index=True)
    renewed_from = models.ForeignKey("self", verbose_name=_("续贷原贷款"), null=True, blank=True, on_delete=models.PROTECT, related_name="renewals")
    schedule_version = models.PositiveIntegerField(_("还款计划版本"), default=1)
    risk_flag = models.CharField(_("风险标识"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    # Cached state (derived; rebuilt from events by loans.services.loan_refresh_state).
    state_as_of = models.DateField(_("状态日期"), null=True, blank=True)
    principal_outstanding = models.BigIntegerField(_("贷款余额（分）"), default=0)
    overdue_principal = models.BigIntegerField(_("逾期本金（分）"), default=0)
    overdue_interest = models.BigIntegerField(_("欠息（分）"), default=0)
    penalty_owed = models.BigIntegerField(_("应付罚息（分）"), default=0)
    advance = models.BigIntegerField(_("预收款（分）"), default=0)
    days_past_due = models.PositiveIntegerField(_("逾期天数"), default=0)
    classification = models.CharField(
        _("五级分类"), max_length=16, choices=[(c, CLASS_LABELS[c]) for c in CLASSES], default="normal", db_index=True
    )
    next_due_date = models.DateField(_("下次应还日"), null=True, blank=True)
    # The manual floor (DOMAIN §5.4, ADR 0002 amendment): the class of the latest confirmed manual move and its
    # day; the class is never better than it from that day until a manual upgrade replaces it ("" = none).
    manual_class = models.CharField(_("人工认定分类"), max_length=16, blank=True, default="",
                                    choices=[(c, CLASS_LABELS[c]) for c in CLASSES])
    manual_class_on = models.DateField(_("人工认定日期"), null=True, blank=True)
    # Derivation basis for the daily close (microcredit.batch.basis): state after the last payment.
    basis_on = models.DateField(_("基准日期"), null=True, blank=True)
    basis_advance = models.BigIntegerField(_("基准预收款（分）"), default=0)
    closed_on = models.DateField(_("结清日期"), null=True, blank=True)
    # Bumped by every write of the cached state outside the daily close, so the close never
    # overwrites a loan that changed after it read it (optimistic concurrency, issue #8).
    version = models.PositiveBigIntegerField(_("版本"), default=0)

    class Meta:
        verbose_name = _("贷款")
        verbose_name_plural = _("贷款")
        ordering = ["-disbursed_on", "-id"]
        indexes = [models.Index(fields=["bank", "status"]), models.Index(fields=["region_code", "status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(principal__gt=0), name="loan_principal_positive"),
            models.CheckConstraint(condition=models.Q(method__in=METHODS), name="loan_method_known"),
            # DOMAIN §4: at most one policy loan outstanding per household (enforced by the database).
            models.UniqueConstraint(fields=["household"], condition=models.Q(status="active"),
                                    name="loan_one_active_per_household",
                                    violation_error_message="该户已有一笔在贷的政策性贷款，结清前不能再贷"),
        ]
        permissions = [
            ("post_repayment", "登记还款"),
            ("service_loan", "办理展期、续贷、核销、冲正"),
        ]

    def __str__(self) -> str:
        return self.number


class Installment(models.Model):
    """One scheduled instalment (as agreed; what was paid comes from events)."""

    loan = models.ForeignKey(Loan, verbose_name=_("贷款"), on_delete=models.CASCADE, related_name="installments")
    schedule_version = models.PositiveIntegerField(_("还款计划版本"), default=1)
    seq = models.PositiveIntegerField(_("期次"))
    period_start = models.DateField(_("计息起日"))
    due_date = models.DateField(_("应还日"), db_index=True)
    principal = models.BigIntegerField(_("应还本金（分）"))
    interest = models.BigIntegerField(_("应还利息（分）"))
    # Paid parts at the loan's basis (derived; rebuilt from events).
    principal_paid = models.BigIntegerField(_("已还本金（分）"), default=0)
    interest_paid = models.BigIntegerField(_("已还利息（分）"), default=0)
    penalty_paid = models.BigIntegerField(_("已还罚息（分）"), default=0)
    penalty_fen_days = models.BigIntegerField(_("罚息积数（分·天）"), default=0)
    accrued_to = models.DateField(_("罚息计至"), null=True, blank=True)
    paid_off_on = models.DateField(_("还清日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("还款计划")
        verbose_name_plural = _("还款计划")
        ordering = ["loan", "schedule_version", "seq"]
        constraints = [models.UniqueConstraint(fields=["loan", "schedule_version", "seq"], name="installment_unique_seq")]
        # A loan's instalments due in a date range (the indicators' due/on-time figures for a region's loans):
        # without it PostgreSQL reads every instalment of each loan to keep the month's.
        indexes = [models.Index(fields=["loan", "due_date"], name="installment_loan_due")]


class EventKind(models.TextChoices):
    DISBURSEMENT = "disbursement", _("放款")
    REPAYMENT = "repayment", _("还款")
    SETTLEMENT = "settlement", _("提前结清")
    EXTENSION = "extension", _("展期")
    RENEWAL = "renewal", _("续贷")
    WRITE_OFF = "write_off", _("核销")
    REVERSAL = "reversal", _("冲正")


class Channel(models.TextChoices):
    """Where a repayment came in (``LoanEvent.data["channel"]``)."""

    COUNTER = "counter", _("柜面")
    API = "api", _("接口")
    BATCH = "batch", _("批量导入")


class LoanEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("贷款事件不可修改，请用冲正")

    def delete(self):
        raise PermissionError("贷款事件不可删除，请用冲正")

    def effective(self):
        """Events that count: not reversals themselves and not reversed by one."""
        return self.exclude(kind=EventKind.REVERSAL).filter(reversed_by__isnull=True)


class LoanEvent(models.Model):
    """An immutable event on a loan; a mistake is undone by a reversal event."""

    loan = models.ForeignKey(Loan, verbose_name=_("贷款"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事件"), max_length=16, choices=EventKind.choices, db_index=True)
    on = models.DateField(_("业务日期"), db_index=True)
    amount = models.BigIntegerField(_("金额（分）"), default=0)
    data = models.JSONField(_("内容"), default=dict, blank=True)
    reverses = models.OneToOneField(
        "self", verbose_name=_("冲正对象"), null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    # Unique per loan (constraint below), never across loans: banks do not share a key space.
    idempotency_key = models.CharField(_("幂等键"), max_length=80, null=True, blank=True)
    reference = models.CharField(_("流水号"), max_length=64, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = LoanEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("贷款事件")
        verbose_name_plural = _("贷款事件")
        ordering = ["loan", "on", "id"]
        constraints = [models.UniqueConstraint(fields=["loan", "idempotency_key"], name="loanevent_key_unique_per_loan")]

    def __str__(self) -> str:
        return f"{self.loan} {self.get_kind_display()} {self.on}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("贷款事件不可修改，请用冲正")
        super().save(*args, **kwargs)


CLASS_CHOICES = [(c, CLASS_LABELS[c]) for c in CLASSES]


class MoveCause(models.TextChoices):
    CLOSE = "close", _("日终按逾期天数")
    MANUAL = "manual", _("人工调整")


class ClassificationMove(models.Model):
    """One move of a loan's class (delinquency history 五级分类变动, DOMAIN §5.4, §9): by the daily close
    (one bulk insert per close of the loans whose class changed; unique per loan and day) or by a confirmed
    manual move (with its reason and who)."""

    loan = models.ForeignKey(Loan, verbose_name=_("贷款"), on_delete=models.CASCADE, related_name="class_moves")
    on = models.DateField(_("变动日期"))
    from_class = models.CharField(_("原分类"), max_length=16, choices=CLASS_CHOICES)
    to_class = models.CharField(_("新分类"), max_length=16, choices=CLASS_CHOICES)
    cause = models.CharField(_("来源"), max_length=8, choices=MoveCause.choices)
    reason = models.CharField(_("原因"), max_length=16, blank=True, choices=list(REASON_LABELS.items()))
    reason_text = models.CharField(_("说明"), max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    proposal = models.OneToOneField("ClassificationProposal", verbose_name=_("调整申请"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="move")
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("五级分类变动")
        verbose_name_plural = _("五级分类变动")
        ordering = ["loan", "on", "id"]
        indexes = [models.Index(fields=["loan", "on"]), models.Index(fields=["on", "cause"])]
        constraints = [
            # A close writes at most one move per loan and day: a re-run of the date does not duplicate.
            models.UniqueConstraint(fields=["loan", "on", "cause"], condition=models.Q(cause="close"),
                                    name="classmove_one_close_move_per_loan_day"),
        ]


class ProposalDirection(models.TextChoices):
    DOWN = "down", _("下调")
    UP = "up", _("上调")


class ClassificationProposal(models.Model):
    """A manual class move proposed by the bank and confirmed by the county office (workflow kit, ADR 0007;
    table ``domain.workflow.CLASSIFICATION_MOVE``)."""

    loan = models.ForeignKey(Loan, verbose_name=_("贷款"), on_delete=models.PROTECT, related_name="class_proposals")
    direction = models.CharField(_("方向"), max_length=4, choices=ProposalDirection.choices)
    from_class = models.CharField(_("原分类"), max_length=16, choices=CLASS_CHOICES)
    to_class = models.CharField(_("调整为"), max_length=16, choices=CLASS_CHOICES)
    reason = models.CharField(_("原因"), max_length=16, choices=list(REASON_LABELS.items()))
    reason_text = models.CharField(_("说明"), max_length=500, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=CLASSIFICATION_MOVE.choices(),
                             default=CLASSIFICATION_MOVE.initial, db_index=True)
    state_entered_on = models.DateField(_("进入本环节日期"))
    proposed_on = models.DateField(_("提出日期"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("五级分类调整申请")
        verbose_name_plural = _("五级分类调整申请")
        ordering = ["-proposed_on", "-id"]


class ClassificationProposalStep(TransitionRecord):
    proposal = models.ForeignKey(ClassificationProposal, on_delete=models.CASCADE, related_name="steps")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("分类调整审批记录")
        verbose_name_plural = _("分类调整审批记录")


class ExtensionKind(models.TextChoices):
    EXTENSION = "extension", REQUEST_KINDS["extension"]
    RENEWAL = "renewal", REQUEST_KINDS["renewal"]


class ExtensionRequest(models.Model):
    """An extension or renewal request (DOMAIN §12): requested by the bank or the household (the village
    clerk on its behalf) → village opinion → township opinion → bank decision, before maturity (table
    ``domain.workflow.EXTENSION``)."""

    number = models.CharField(_("申请编号"), max_length=32, unique=True)
    loan = models.ForeignKey(Loan, verbose_name=_("贷款"), on_delete=models.PROTECT, related_name="extension_requests")
    kind = models.CharField(_("类别"), max_length=10, choices=ExtensionKind.choices)
    new_maturity = models.DateField(_("申请展期至"), null=True, blank=True)
    new_term_months = models.PositiveSmallIntegerField(_("续贷期限（月）"), null=True, blank=True)
    without_principal_repayment = models.BooleanField(_("无还本续贷"), default=False)
    reason = models.CharField(_("申请原因"), max_length=500)
    state = models.CharField(_("状态"), max_length=20, choices=EXTENSION.choices(), default=EXTENSION.initial,
                             db_index=True)
    state_entered_on = models.DateField(_("进入本环节日期"))
    requested_on = models.DateField(_("申请日期"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    requested_role = models.CharField(_("申请方"), max_length=20, blank=True)
    new_loan = models.ForeignKey(Loan, verbose_name=_("续贷新贷款"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("展期续贷申请")
        verbose_name_plural = _("展期续贷申请")
        ordering = ["-requested_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["extension", "renewal"]), name="extreq_kind_known"),
        ]

    def __str__(self) -> str:
        return self.number


class ExtensionStep(TransitionRecord):
    request = models.ForeignKey(ExtensionRequest, on_delete=models.CASCADE, related_name="steps")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("展期续贷审批记录")
        verbose_name_plural = _("展期续贷审批记录")
