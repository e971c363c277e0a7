"""Interest subsidy (贴息, DOMAIN §6) and the risk compensation fund (风险补偿金, DOMAIN §7).

Fund money is a double-entry ledger: a `JournalEntry` has `Posting`s whose amounts (signed
integer fen) sum to zero — checked by the service that writes them and by a test over the
table. Balances are derived (sum of postings of a ledger of an account). Entries and
postings are never updated or deleted; a mistake is corrected by a new entry.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from microcredit.apps.core.models import TransitionRecord
from microcredit.domain.loss_sharing import SHARING_PRESET_LABELS


class _AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("账务记录不可修改，请另记一笔")

    def delete(self):
        raise PermissionError("账务记录不可删除，请另记一笔")


class FundAccount(models.Model):
    """One county's fund deposited at one partner bank (county × bank)."""

    county_code = models.CharField(_("县区划代码"), max_length=6, db_index=True)
    bank = models.ForeignKey("reference.Bank", verbose_name=_("合作银行"), on_delete=models.PROTECT, related_name="fund_accounts")
    name = models.CharField(_("账户名称"), max_length=64)
    account_number = models.CharField(_("专户账号"), max_length=32, blank=True)
    sharing_preset = models.CharField(_("损失分担方案"), max_length=32, choices=list(SHARING_PRESET_LABELS.items()),
                                      default="fund_bank_70_30")
    leverage = models.PositiveIntegerField(_("放大倍数"), default=10)
    min_overdue_days = models.PositiveIntegerField(_("代偿最低逾期天数"), default=90)
    opened_on = models.DateField(_("开户日期"))
    subsidy_mode = models.CharField(_("贴息方式"), max_length=8, choices=[("claim", "先收后补"), ("direct", "直接贴付")],
                                    default="claim")

    class Meta:
        verbose_name = _("风险补偿金专户")
        verbose_name_plural = _("风险补偿金专户")
        constraints = [models.UniqueConstraint(fields=["county_code", "bank"], name="fund_account_county_bank")]
        permissions = [("view_fund", "查看风险补偿金"), ("manage_fund", "登记风险补偿金收支"),
                       ("file_claim", "提交代偿申请"), ("verify_claim", "核实代偿申请"),
                       ("approve_claim", "审批代偿申请"), ("pay_claim", "拨付代偿资金"),
                       ("view_insured", "查看承保贷款及保险公司分担（政银保）")]

    def __str__(self) -> str:
        return self.name


class Ledger(models.TextChoices):
    FUND_CASH = "fund_cash", _("补偿金专户存款")
    COUNTY_CONTRIBUTION = "county_contribution", _("县级财政注资")
    INTEREST_INCOME = "interest_income", _("专户利息收入")
    COMPENSATION = "compensation", _("代偿支出")
    RECOVERY_INCOME = "recovery_income", _("追偿收回")
    COUNTY_BUDGET = "county_budget", _("县级预算（调出/超额承担）")


class EntryKind(models.TextChoices):
    DEPOSIT = "deposit", _("存入")
    INTEREST = "interest", _("利息")
    TOP_UP = "top_up", _("补充")
    PAYOUT = "payout", _("代偿拨付")
    RECOVERY = "recovery", _("追偿收回")
    TRANSFER_OUT = "transfer_out", _("调出至县级预算")


class JournalEntry(models.Model):
    account = models.ForeignKey(FundAccount, verbose_name=_("专户"), on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("业务"), max_length=16, choices=EntryKind.choices)
    on = models.DateField(_("记账日期"))
    memo = models.CharField(_("摘要"), max_length=200, blank=True)
    claim = models.ForeignKey("funds.Claim", verbose_name=_("代偿申请"), null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = _AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("记账凭证")
        verbose_name_plural = _("记账凭证")
        ordering = ["on", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("账务记录不可修改")
        super().save(*args, **kwargs)


class Posting(models.Model):
    entry = models.ForeignKey(JournalEntry, verbose_name=_("凭证"), on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(FundAccount, verbose_name=_("专户"), on_delete=models.PROTECT, related_name="postings")
    ledger = models.CharField(_("科目"), max_length=24, choices=Ledger.choices)
    amount = models.BigIntegerField(_("金额（分，借正贷负）"))

    objects = _AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("分录")
        verbose_name_plural = _("分录")
        indexes = [models.Index(fields=["account", "ledger"])]


class ClaimStatus(models.TextChoices):
    FILED = "filed", _("银行已申报")
    NOTICE = "notice", _("村级公示中")
    VERIFIED = "verified", _("县级已核实")
    APPROVED = "approved", _("领导小组已审批")
    PAID = "paid", _("已代偿")
    REJECTED = "rejected", _("已驳回")


class ClaimCause(models.TextChoices):
    DEATH = "death", _("死亡")
    LABOUR_LOSS = "labour_loss", _("丧失劳动能力")
    DISASTER = "disaster", _("重大自然灾害")
    OTHER = "other", _("其他经认定原因")


class Claim(models.Model):
    """A bank's claim on the fund for a loan overdue ≥ 90 days after collection (DOMAIN §7)."""

    number = models.CharField(_("申请编号"), max_length=32, unique=True)
    loan = models.ForeignKey("loans.Loan", verbose_name=_("贷款"), on_delete=models.PROTECT, related_name="claims")
    account = models.ForeignKey(FundAccount, verbose_name=_("专户"), on_delete=models.PROTECT, related_name="claims")
    region_code = models.CharField(_("区划代码"), max_length=15, db_index=True)
    cause = models.CharField(_("原因"), max_length=16, choices=ClaimCause.choices)
    cause_detail = models.TextField(_("原因说明"), blank=True)
    collection_note = models.TextField(_("催收情况"))
    status = models.CharField(_("状态"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.FILED, db_index=True)
    filed_on = models.DateField(_("申报日期"))
    days_past_due = models.PositiveIntegerField(_("申报时逾期天数"))
    loss_principal = models.BigIntegerField(_("损失本金（分）"))
    loss_interest = models.BigIntegerField(_("损失利息（分）"))
    shares = models.JSONField(_("分担结果（分）"), default=dict, blank=True)
    sharing_preset = models.CharField(_("分担方案"), max_length=32)
    notice_start = models.DateField(_("公示开始"), null=True, blank=True)
    notice_end = models.DateField(_("公示结束"), null=True, blank=True)
    rejection_reason = models.TextField(_("驳回原因"), blank=True)
    recovered = models.BigIntegerField(_("已追回（分）"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("代偿申请")
        verbose_name_plural = _("代偿申请")
        ordering = ["-filed_on", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def loss(self) -> int:
        return self.loss_principal + self.loss_interest


class ClaimRecovery(models.Model):
    """Money recovered after a claim was paid, and how it was shared back (DOMAIN §7)."""

    claim = models.ForeignKey(Claim, verbose_name=_("代偿申请"), on_delete=models.PROTECT, related_name="recoveries")
    on = models.DateField(_("追回日期"), db_index=True)
    amount = models.BigIntegerField(_("追回金额（分）"))
    shares = models.JSONField(_("分担结果（分）"), default=dict)

    class Meta:
        verbose_name = _("追偿收回")
        verbose_name_plural = _("追偿收回")
        ordering = ["on", "id"]


class ClaimEvidence(models.Model):
    claim = models.ForeignKey(Claim, verbose_name=_("代偿申请"), on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("文件"), upload_to="claims/%Y/%m/")
    description = models.CharField(_("说明"), max_length=120, blank=True)
    content_type = models.CharField(_("类型"), max_length=64, default="application/octet-stream")
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)


class SubsidyStatus(models.TextChoices):
    DRAFTED = "drafted", _("银行已申报")
    VERIFIED = "verified", _("人行已审核")
    APPROVED = "approved", _("县级已审批")
    PAID = "paid", _("财政已拨付")
    REJECTED = "rejected", _("已驳回")


class SubsidyBatch(models.Model):
    """A bank's subsidy claim for a month or quarter (DOMAIN §6)."""

    number = models.CharField(_("批次号"), max_length=32, unique=True)
    bank = models.ForeignKey("reference.Bank", verbose_name=_("银行"), on_delete=models.PROTECT, related_name="subsidy_batches")
    county_code = models.CharField(_("县区划代码"), max_length=6, db_index=True)
    period = models.CharField(_("期间"), max_length=8, choices=[("month", "月度"), ("quarter", "季度")])
    period_start = models.DateField(_("期间起"))
    period_end = models.DateField(_("期间止"))
    mode = models.CharField(_("方式"), max_length=8, choices=[("claim", "先收后补"), ("direct", "直接贴付")], default="claim")
    status = models.CharField(_("状态"), max_length=10, choices=SubsidyStatus.choices, default=SubsidyStatus.DRAFTED, db_index=True)
    total = models.BigIntegerField(_("贴息合计（分）"), default=0)
    line_count = models.PositiveIntegerField(_("明细笔数"), default=0)
    rejection_reason = models.TextField(_("驳回原因"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("贴息申报批次")
        verbose_name_plural = _("贴息申报批次")
        ordering = ["-period_start", "-id"]
        permissions = [("view_subsidy", "查看贴息"), ("draft_subsidy", "申报贴息"), ("verify_subsidy", "审核贴息（人行）"),
                       ("approve_subsidy", "审批贴息（县）"), ("pay_subsidy", "拨付贴息（财政）")]

    def __str__(self) -> str:
        return self.number


class SubsidyLine(models.Model):
    """One loan period of a batch, traceable to the instalment (positive) or a recovery (negative)."""

    batch = models.ForeignKey(SubsidyBatch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="lines")
    loan = models.ForeignKey("loans.Loan", verbose_name=_("贷款"), on_delete=models.PROTECT, related_name="subsidy_lines")
    kind = models.CharField(_("类型"), max_length=10, choices=[("subsidy", "贴息"), ("recovery", "追回")], default="subsidy")
    schedule_version = models.PositiveIntegerField(_("计划版本"))
    seq = models.PositiveIntegerField(_("期次"))
    period_start = models.DateField(_("计息起日"))
    due_date = models.DateField(_("应还日"))
    days_in_window = models.PositiveIntegerField(_("贴息天数"))
    rate = models.DecimalField(_("贴息利率（%）"), max_digits=7, decimal_places=4)
    ratio = models.DecimalField(_("贴息比例"), max_digits=5, decimal_places=4)
    amount = models.BigIntegerField(_("贴息金额（分）"))
    reason = models.CharField(_("说明"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("贴息明细")
        verbose_name_plural = _("贴息明细")
        ordering = ["batch", "loan", "seq"]


class WorkflowStep(TransitionRecord):
    """One transition of a subsidy batch or a claim, with actor, time and opinion (审批意见)."""

    batch = models.ForeignKey(SubsidyBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="steps")
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="steps")

    class Meta:
        ordering = ["at", "id"]
