"""Loan applications through the five-step approval, documents, transitions (DOMAIN §4, §12).

The workflow itself is the table ``domain.workflow.APPLICATION``; these rows store the state,
every transition (actor, time, opinion) and, on disbursement, the one loan (``loans.Loan``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from microcredit.apps.core.models import TransitionRecord
from microcredit.apps.loans.selectors import UsageMode
from microcredit.domain.workflow import APPLICATION

USER = settings.AUTH_USER_MODEL


class LoanApplication(models.Model):
    number = models.CharField(_("申请编号"), max_length=32, unique=True)
    household = models.ForeignKey("households.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="applications")
    borrower = models.ForeignKey("households.Member", verbose_name=_("借款人"), on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("区划代码"), max_length=15, db_index=True)
    bank = models.ForeignKey("reference.Bank", verbose_name=_("贷款银行"), on_delete=models.PROTECT, related_name="applications")
    rating = models.ForeignKey("rating.Rating", verbose_name=_("评级"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    policy_era = models.CharField(_("政策期"), max_length=16)
    applied_on = models.DateField(_("申请日期"), db_index=True)
    amount = models.BigIntegerField(_("申请金额（分）"))
    term_months = models.PositiveIntegerField(_("申请期限（月）"))
    usage_mode = models.CharField(_("使用方式"), max_length=16, choices=UsageMode.choices, default=UsageMode.SELF)
    industry = models.CharField(_("产业"), max_length=32)
    purpose = models.CharField(_("用途"), max_length=200)
    project_description = models.TextField(_("项目说明"), blank=True)
    partner_name = models.CharField(_("合作主体"), max_length=64, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=APPLICATION.choices(), default=APPLICATION.initial, db_index=True)
    state_entered_on = models.DateField(_("进入本环节日期"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_on = models.DateField(_("审定日期"), null=True, blank=True)
    notice_ends_on = models.DateField(_("借款人名单公示截止"), null=True, blank=True)
    loan = models.OneToOneField("loans.Loan", verbose_name=_("贷款"), null=True, blank=True, on_delete=models.PROTECT, related_name="application")
    disbursed_on = models.DateField(_("放款日期"), null=True, blank=True)
    days_to_money = models.PositiveIntegerField(_("申请到放款天数"), null=True, blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("录入人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("贷款申请")
        verbose_name_plural = _("贷款申请")
        ordering = ["-applied_on", "-id"]
        indexes = [models.Index(fields=["state", "region_code"])]
        permissions = [
            ("apply_loan", "录入贷款申请"), ("review_application", "审批贷款申请"),
            ("disburse_loan", "签约放款"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="application_amount_positive")]

    def __str__(self) -> str:
        return self.number

    @property
    def state_label(self) -> str:
        return APPLICATION.label(self.state)


class DocumentKind(models.TextChoices):
    APPLICATION_FORM = "application_form", _("贷款申请表")
    SURVEY_FORM = "survey_form", _("入户调查表")
    ID_CARD = "id_card", _("身份证")
    BANK_CARD = "bank_card", _("银行卡")
    LINK_AGREEMENT = "link_agreement", _("带贫（利益联结）协议")
    OTHER = "other", _("其他")


def _upload_to(instance, filename: str) -> str:
    return f"applications/{instance.application_id}/{instance.kind}/{filename}"


class ApplicationDocument(models.Model):
    """An uploaded document (两表一证一卡, link agreement); downloads are scoped."""

    application = models.ForeignKey(LoanApplication, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("材料类型"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(_("文件"), upload_to=_upload_to)
    original_name = models.CharField(_("原文件名"), max_length=128)
    content_type = models.CharField(_("类型"), max_length=64)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(USER, verbose_name=_("上传人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["application", "kind", "id"]


class WorkflowTransition(TransitionRecord):
    """One step taken on an application: who, when, in which role, with what opinion."""

    application = models.ForeignKey(LoanApplication, verbose_name=_("申请"), on_delete=models.CASCADE, related_name="transitions")

    class Meta:
        verbose_name = _("审批记录")
        verbose_name_plural = _("审批记录")
        ordering = ["application", "at", "id"]

    @property
    def from_label(self) -> str:
        return APPLICATION.label(self.from_state)

    @property
    def to_label(self) -> str:
        return APPLICATION.label(self.to_state)
