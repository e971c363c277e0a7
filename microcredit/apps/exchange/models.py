"""Bank ledgers (台账) as the banks report them, their imports, and the registers they are checked against
(DOMAIN §10, ADR 0010).

A `LedgerLoan` is a bank's statement of one loan (natural key: bank + contract number), never a loan the
system services: those are `loans.Loan`, and reconciliation compares the two. Each import is kept with
its report; each change a corrected file makes to a row is kept as a `LedgerChange`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    IMPORTED = "imported", _("已导入")
    REFUSED = "refused", _("未导入（有错误）")


class ImportSource(models.TextChoices):
    PAGE = "page", _("页面上传")
    CLI = "cli", _("命令行")
    API = "api", _("银行系统接口")


class LedgerImport(models.Model):
    """One file (or API batch) and its report: counts, errors, findings."""

    bank = models.ForeignKey("reference.Bank", verbose_name=_("银行"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(_("文件名"), max_length=200)
    digest = models.CharField(_("文件摘要"), max_length=64)
    kind = models.CharField(_("类型"), max_length=12, default="loans",
                            choices=[("loans", _("贷款台账")), ("repayments", _("还款明细"))])
    as_of = models.DateField(_("数据日期"))
    region_code = models.CharField(_("区划代码"), max_length=15, blank=True, db_index=True)
    status = models.CharField(_("结果"), max_length=10, choices=ImportStatus.choices)
    source = models.CharField(_("来源"), max_length=8, choices=ImportSource.choices, default=ImportSource.PAGE)
    counts = models.JSONField(_("行数"), default=dict)
    errors = models.JSONField(_("错误"), default=list)  # the first MAX_ERRORS
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    findings = models.JSONField(_("核查发现"), default=list)  # the first MAX_FINDINGS
    finding_count = models.PositiveIntegerField(_("核查发现数"), default=0)
    ignored_columns = models.JSONField(_("未导入的列"), default=list)
    idempotency_key = models.CharField(_("幂等键"), max_length=80, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("台账导入")
        verbose_name_plural = _("台账导入")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(
            fields=["bank", "idempotency_key"], condition=~models.Q(idempotency_key=""),
            name="ledger_import_idempotency_per_bank")]

    def __str__(self) -> str:
        return f"{self.filename}（{self.as_of}）"


class LedgerLoan(models.Model):
    """One loan as a bank's ledger states it (DOMAIN §10 fields; money in fen)."""

    bank = models.ForeignKey("reference.Bank", verbose_name=_("贷款银行"), on_delete=models.PROTECT, related_name="+")
    contract_number = models.CharField(_("合同编号"), max_length=40)
    region_code = models.CharField(_("区划代码"), max_length=15, blank=True, db_index=True)
    household_id = models.BigIntegerField(_("农户"), null=True, blank=True)
    township = models.CharField(_("乡镇"), max_length=64, blank=True)
    village = models.CharField(_("行政村"), max_length=64, blank=True)
    group = models.CharField(_("村民小组"), max_length=64, blank=True)
    head_name = models.CharField(_("户主姓名"), max_length=64, blank=True)
    head_id = models.CharField(_("户主身份证号"), max_length=18, blank=True)
    borrower_name = models.CharField(_("借款人姓名"), max_length=64)
    borrower_id = models.CharField(_("借款人身份证号"), max_length=18, db_index=True)
    relation = models.CharField(_("与户主关系"), max_length=12, blank=True)
    household_status = models.CharField(_("户类型"), max_length=16, blank=True)
    grade = models.CharField(_("信用等级"), max_length=8, blank=True)
    credit_limit = models.BigIntegerField(_("授信额度（分）"), null=True, blank=True)
    granting_bank = models.CharField(_("授信银行"), max_length=64, blank=True)
    granted_on = models.DateField(_("授信日期"), null=True, blank=True)
    amount = models.BigIntegerField(_("贷款金额（分）"))
    term_months = models.PositiveIntegerField(_("贷款期限（月）"), null=True, blank=True)
    disbursed_on = models.DateField(_("放款日期"))
    maturity_date = models.DateField(_("到期日期"), null=True, blank=True)
    annual_rate = models.DecimalField(_("执行年利率（%）"), max_digits=7, decimal_places=4, null=True, blank=True)
    lending_bank = models.CharField(_("贷款银行（台账所填）"), max_length=64, blank=True)
    subsidy_to_date = models.BigIntegerField(_("累计贴息（分）"), null=True, blank=True)
    repaid_amount = models.BigIntegerField(_("累计还款（分）"), null=True, blank=True)
    last_repaid_on = models.DateField(_("最近还款日期"), null=True, blank=True)
    balance = models.BigIntegerField(_("贷款余额（分）"))
    overdue_amount = models.BigIntegerField(_("逾期金额（分）"), null=True, blank=True)
    overdue_since = models.DateField(_("逾期起始日期"), null=True, blank=True)
    unpaid_interest = models.BigIntegerField(_("欠息（分）"), null=True, blank=True)
    unpaid_interest_since = models.DateField(_("欠息起始日期"), null=True, blank=True)
    industry = models.CharField(_("产业"), max_length=64, blank=True)
    usage_mode = models.CharField(_("使用方式"), max_length=16, blank=True)
    account_number = models.CharField(_("放款账户"), max_length=40, blank=True)
    payee = models.CharField(_("资金使用主体"), max_length=100, blank=True)
    risk_fund = models.BooleanField(_("纳入风险补偿"), null=True, blank=True)
    risk_fund_known = models.BooleanField(_("台账含风险补偿列"), default=False)
    digest = models.CharField(_("内容摘要"), max_length=32)
    first_import = models.ForeignKey(LedgerImport, verbose_name=_("首次导入"), on_delete=models.PROTECT, related_name="+")
    last_import = models.ForeignKey(LedgerImport, verbose_name=_("最近导入"), on_delete=models.PROTECT, related_name="+")
    as_of = models.DateField(_("数据日期"))

    class Meta:
        verbose_name = _("台账贷款")
        verbose_name_plural = _("台账贷款")
        ordering = ["bank", "contract_number"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "contract_number"], name="ledger_loan_bank_contract"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="ledger_loan_amount_positive"),
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="ledger_loan_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_number} {self.borrower_name}"


class LedgerChange(models.Model):
    """What a corrected file changed in a row: {field: [before, after]} (values as text)."""

    loan = models.ForeignKey(LedgerLoan, verbose_name=_("台账贷款"), on_delete=models.CASCADE, related_name="changes")
    ledger_import = models.ForeignKey(LedgerImport, verbose_name=_("导入"), on_delete=models.PROTECT, related_name="+")
    changes = models.JSONField(_("变更内容"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("台账变更")
        verbose_name_plural = _("台账变更")
        ordering = ["-id"]


class LedgerRepayment(models.Model):
    """A repayment row of a bank's file (natural key: bank + contract number + 流水号)."""

    bank = models.ForeignKey("reference.Bank", verbose_name=_("贷款银行"), on_delete=models.PROTECT, related_name="+")
    contract_number = models.CharField(_("合同编号"), max_length=40)
    reference = models.CharField(_("流水号"), max_length=64)
    on = models.DateField(_("还款日期"))
    principal = models.BigIntegerField(_("还款本金（分）"), default=0)
    interest = models.BigIntegerField(_("还款利息（分）"), default=0)
    penalty = models.BigIntegerField(_("还款罚息（分）"), default=0)
    digest = models.CharField(_("内容摘要"), max_length=32)
    last_import = models.ForeignKey(LedgerImport, verbose_name=_("最近导入"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("台账还款")
        verbose_name_plural = _("台账还款")
        ordering = ["bank", "contract_number", "on"]
        constraints = [models.UniqueConstraint(fields=["bank", "contract_number", "reference"],
                                               name="ledger_repayment_natural_key")]


class ColumnTemplate(models.Model):
    """A bank's column mapping: {field: the header its files use}, tried before the usual spellings."""

    bank = models.OneToOneField("reference.Bank", verbose_name=_("银行"), on_delete=models.CASCADE, related_name="+")
    mapping = models.JSONField(_("列对照"), default=dict)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("列对照模板")
        verbose_name_plural = _("列对照模板")


class PublicEmployee(models.Model):
    """The register of public employees the county uploads (the official_borrower check)."""

    id_number = models.CharField(_("身份证号"), max_length=18, unique=True)
    name = models.CharField(_("姓名"), max_length=64)
    unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    uploaded_at = models.DateTimeField(_("导入时间"), auto_now=True)

    class Meta:
        verbose_name = _("公职人员名册")
        verbose_name_plural = _("公职人员名册")
        ordering = ["unit", "name"]


class ReconciliationRun(models.Model):
    """One run of the checks (after an import or on demand) and what it found."""

    bank = models.ForeignKey("reference.Bank", verbose_name=_("银行"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("区划代码"), max_length=15, blank=True)
    ledger_import = models.ForeignKey(LedgerImport, verbose_name=_("导入"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="runs")
    rows = models.PositiveIntegerField(_("核查行数"), default=0)
    counts = models.JSONField(_("各项发现数"), default=dict)
    findings = models.JSONField(_("核查发现"), default=list)
    finding_count = models.PositiveIntegerField(_("发现数"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("核查时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("对账核查")
        verbose_name_plural = _("对账核查")
        ordering = ["-created_at", "-id"]
