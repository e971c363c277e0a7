"""Collection cases 催收案件 (DOMAIN §8, issue #12 §3): one open case per overdue loan, opened and
resolved by the daily close (``collection.services.cases_after_close``), its history, and the
visits and calls recorded on it. The states and bands are ``domain.collection``'s vocabulary.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microcredit.domain import collection as rules


class CaseState(models.TextChoices):
    OPEN = rules.OPEN, _("待催收")
    IN_PROGRESS = rules.IN_PROGRESS, _("催收中")
    PROMISE = rules.PROMISE, _("承诺还款")
    BROKEN = rules.BROKEN, _("违约未还")
    RESOLVED = rules.RESOLVED, _("已化解")
    CLOSED = rules.CLOSED, _("已结案")


class Band(models.TextChoices):
    VILLAGE = rules.VILLAGE, _("村级催收（1–29 天）")
    TOWNSHIP = rules.TOWNSHIP, _("乡镇催收（30–59 天）")
    COUNTY = rules.COUNTY, _("县级督办（60–89 天）")
    CLAIM = rules.CLAIM, _("建议代偿（≥ 90 天）")


class Channel(models.TextChoices):
    VISIT = "visit", _("上门")
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")
    OTHER = "other", _("其他")


class Result(models.TextChoices):
    PROMISE = "promise", _("承诺还款")
    PARTIAL = "partial", _("已部分还款")
    REFUSED = "refused", _("拒绝还款")
    HARDSHIP = "hardship", _("确有困难")
    UNREACHABLE = "unreachable", _("未联系上")
    PAID = "paid", _("称已还款")
    OTHER = "other", _("其他")


class Case(models.Model):
    loan = models.ForeignKey("loans.Loan", verbose_name=_("贷款"), on_delete=models.PROTECT, related_name="collection_cases")
    region_code = models.CharField(_("区划代码"), max_length=15, db_index=True)
    bank = models.ForeignKey("reference.Bank", verbose_name=_("贷款银行"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=16, choices=CaseState.choices, default=CaseState.OPEN, db_index=True)
    band = models.CharField(_("催收层级"), max_length=10, choices=Band.choices, default=Band.VILLAGE)
    opened_on = models.DateField(_("立案日期"))
    state_entered_on = models.DateField(_("进入当前状态日期"))
    resolved_on = models.DateField(_("化解日期"), null=True, blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    days_past_due = models.PositiveIntegerField(_("逾期天数"), default=0)  # as of the last close
    overdue_amount = models.BigIntegerField(_("逾期本息及罚息（分）"), default=0)  # as of the last close
    promised_on = models.DateField(_("承诺还款日期"), null=True, blank=True)
    promised_amount = models.BigIntegerField(_("承诺还款金额（分）"), null=True, blank=True)
    last_action_on = models.DateField(_("最近催收日期"), null=True, blank=True)
    updated_on = models.DateField(_("最近更新日期"))

    class Meta:
        verbose_name = _("催收案件")
        verbose_name_plural = _("催收案件")
        ordering = ["-days_past_due", "pk"]
        permissions = [("record_action", "登记催收")]
        constraints = [models.UniqueConstraint(fields=["loan"], condition=Q(state__in=rules.OPEN_STATES),
                                               name="collection_one_open_case_per_loan")]
        indexes = [models.Index(fields=["state", "region_code"])]

    def __str__(self) -> str:
        return f"催收案件 {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in rules.OPEN_STATES

    @property
    def claim_proposed(self) -> bool:
        return self.is_open and self.band == rules.CLAIM


class CaseEvent(models.Model):
    """The case's history: opened, each action, escalations, broken promise, resolved, closed."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("立案")
        ACTION = "action", _("登记催收")
        ESCALATED = "escalated", _("升级")
        DEESCALATED = "deescalated", _("降级")
        BROKEN = "broken", _("承诺到期未还")
        RESOLVED = "resolved", _("化解")
        CLOSED = "closed", _("结案")

    case = models.ForeignKey(Case, verbose_name=_("催收案件"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=12, choices=Kind.choices)
    on = models.DateField(_("日期"))
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    from_state = models.CharField(_("原状态"), max_length=16, choices=CaseState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, choices=CaseState.choices, blank=True)
    from_band = models.CharField(_("原层级"), max_length=10, choices=Band.choices, blank=True)
    to_band = models.CharField(_("新层级"), max_length=10, choices=Band.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("催收案件记录")
        verbose_name_plural = _("催收案件记录")
        ordering = ["on", "id"]


class Action(models.Model):
    """A visit or call (上门/电话/短信/其他): who, when, how, with what result and promise."""

    case = models.ForeignKey(Case, verbose_name=_("催收案件"), on_delete=models.CASCADE, related_name="actions")
    on = models.DateField(_("催收日期"))
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("催收人"), on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("催收方式"), max_length=8, choices=Channel.choices)
    result = models.CharField(_("催收结果"), max_length=12, choices=Result.choices)
    promised_on = models.DateField(_("承诺还款日期"), null=True, blank=True)
    promised_amount = models.BigIntegerField(_("承诺还款金额（分）"), null=True, blank=True)
    note = models.CharField(_("情况说明"), max_length=500, blank=True)
    photo = models.FileField(_("照片"), upload_to="collection/%Y/%m/", blank=True)
    photo_type = models.CharField(_("照片类型"), max_length=64, blank=True)
    via_api = models.BooleanField(_("通过接口"), default=False)

    class Meta:
        verbose_name = _("催收记录")
        verbose_name_plural = _("催收记录")
        ordering = ["-on", "-id"]
