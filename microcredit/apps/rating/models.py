"""Rating and credit granting (评级授信), DOMAIN §3.

Scorecard versions are immutable JSON rows (domain.scorecards); a county picks one per policy
era; ratings keep the version they used. Campaigns (批次) run per village through the table
``domain.workflow.RATING_CAMPAIGN``; every transition is a row.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from microcredit.apps.core.models import TransitionRecord

from microcredit.domain.scorecards import HONOUR_LABELS, scorecard_from_dict
from microcredit.domain.workflow import RATING_CAMPAIGN, RATING_NOTICE_DAYS, RATING_NOTICE_MAX_DAYS, RATING_NOTICE_MIN_DAYS

USER = settings.AUTH_USER_MODEL


class ScorecardVersion(models.Model):
    """One immutable version of a scorecard definition (a change is a new version)."""

    code = models.CharField(_("评分卡代码"), max_length=32, db_index=True)
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("名称"), max_length=64)
    definition = models.JSONField(_("定义"))
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(USER, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("评分卡版本")
        verbose_name_plural = _("评分卡版本")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="scorecard_code_version")]
        permissions = [("manage_scorecard", "维护评分卡")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def card(self):
        return scorecard_from_dict(self.definition)


class CountyScorecard(models.Model):
    """The scorecard version a county uses in a policy era."""

    county_code = models.CharField(_("县区划代码"), max_length=12, db_index=True)
    era_code = models.CharField(_("政策期"), max_length=16)
    scorecard = models.ForeignKey(ScorecardVersion, verbose_name=_("评分卡版本"), on_delete=models.PROTECT, related_name="+")
    chosen_at = models.DateTimeField(_("选定时间"), auto_now_add=True)
    chosen_by = models.ForeignKey(USER, verbose_name=_("选定人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("县评分卡选用")
        verbose_name_plural = _("县评分卡选用")
        ordering = ["county_code", "era_code", "-chosen_at", "-id"]


class RatingCampaign(models.Model):
    """A village's rating batch (批次): 一次摸底、四级评审、两轮公示."""

    number = models.CharField(_("批次号"), max_length=32, unique=True)
    village = models.ForeignKey("regions.Region", verbose_name=_("行政村"), on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("区划代码"), max_length=15, db_index=True)
    scorecard = models.ForeignKey(ScorecardVersion, verbose_name=_("评分卡版本"), on_delete=models.PROTECT, related_name="campaigns")
    state = models.CharField(_("状态"), max_length=20, choices=RATING_CAMPAIGN.choices(), default="survey", db_index=True)
    state_entered_on = models.DateField(_("进入本环节日期"))
    notice_days = models.PositiveIntegerField(_("每轮公示天数（县设置）"), default=RATING_NOTICE_DAYS)
    notice1_ends_on = models.DateField(_("第一轮公示截止"), null=True, blank=True)
    notice2_ends_on = models.DateField(_("第二轮公示截止"), null=True, blank=True)
    effective_on = models.DateField(_("生效日期"), null=True, blank=True)
    is_rerating = models.BooleanField(_("到期重评"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(USER, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("评级批次")
        verbose_name_plural = _("评级批次")
        ordering = ["-created_at", "-id"]
        permissions = [("run_campaign", "组织评级（摸底、评议、公示）"), ("review_campaign", "审核评级批次")]
        constraints = [  # DOMAIN §3, §12: the county's notice length, within domain.workflow's bounds
            models.CheckConstraint(condition=models.Q(notice_days__gte=RATING_NOTICE_MIN_DAYS,
                                                      notice_days__lte=RATING_NOTICE_MAX_DAYS),
                                   name="rating_campaign_notice_days_bounds"),
        ]

    def __str__(self) -> str:
        return self.number


class CampaignTransition(TransitionRecord):
    campaign = models.ForeignKey(RatingCampaign, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="transitions")

    class Meta:
        verbose_name = _("批次审批记录")
        verbose_name_plural = _("批次审批记录")
        ordering = ["campaign", "at", "id"]


class RatingStatus(models.TextChoices):
    DRAFT = "draft", _("评定中")
    EFFECTIVE = "effective", _("有效")
    EXPIRED = "expired", _("已过期")
    REVOKED = "revoked", _("已撤销")
    DOWNGRADED = "downgraded", _("已降级")


class Rating(models.Model):
    """One household's rating: facts surveyed, factor scores, grade and credit line."""

    campaign = models.ForeignKey(RatingCampaign, verbose_name=_("批次"), null=True, blank=True, on_delete=models.PROTECT, related_name="ratings")
    household = models.ForeignKey("households.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="ratings")
    region_code = models.CharField(_("区划代码"), max_length=15, db_index=True)
    scorecard = models.ForeignKey(ScorecardVersion, verbose_name=_("评分卡版本"), on_delete=models.PROTECT, related_name="ratings")
    facts = models.JSONField(_("摸底信息"), default=dict)
    factor_scores = models.JSONField(_("分项得分"), default=list)
    score = models.DecimalField(_("总分"), max_digits=5, decimal_places=1, null=True, blank=True)
    grade = models.CharField(_("信用等级"), max_length=8, blank=True)
    credit_limit = models.BigIntegerField(_("授信额度（分）"), default=0)
    honour_bonus = models.BigIntegerField(_("荣誉加额（分，一般信用）"), default=0)
    status = models.CharField(_("状态"), max_length=12, choices=RatingStatus.choices, default=RatingStatus.DRAFT, db_index=True)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("信用评级")
        verbose_name_plural = _("信用评级")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["household", "status"])]

    def __str__(self) -> str:
        return f"{self.household} {self.grade or '未授信'}"


class Vote(models.Model):
    """A committee member's integrity vote (0–100) on a rating."""

    rating = models.ForeignKey(Rating, verbose_name=_("评级"), on_delete=models.CASCADE, related_name="votes")
    voter = models.CharField(_("评议人"), max_length=32)
    score = models.PositiveSmallIntegerField(_("诚信度打分"))
    recorded_by = models.ForeignKey(USER, verbose_name=_("录入人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评议打分")
        verbose_name_plural = _("评议打分")
        constraints = [models.CheckConstraint(condition=models.Q(score__lte=100), name="vote_score_0_100")]


class Objection(models.Model):
    """An objection raised during a public notice, and how it was resolved."""

    campaign = models.ForeignKey(RatingCampaign, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="objections")
    rating = models.ForeignKey(Rating, verbose_name=_("评级"), null=True, blank=True, on_delete=models.CASCADE, related_name="objections")
    round = models.PositiveSmallIntegerField(_("公示轮次"))
    raised_by = models.CharField(_("提出人"), max_length=32)
    text = models.TextField(_("异议内容"))
    raised_on = models.DateField(_("提出日期"))
    resolution = models.TextField(_("处理结果"), blank=True)
    resolved_on = models.DateField(_("处理日期"), null=True, blank=True)
    resolved_by = models.ForeignKey(USER, verbose_name=_("处理人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["campaign", "raised_on", "id"]


class Honour(models.Model):
    household = models.ForeignKey("households.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="honours")
    kind = models.CharField(_("荣誉"), max_length=12, choices=list(HONOUR_LABELS.items()))
    granted_on = models.DateField(_("评定日期"))
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("荣誉户")
        verbose_name_plural = _("荣誉户")
        ordering = ["-granted_on"]


class BlacklistEntry(models.Model):
    """Blacklist (失信黑名单): 5 years, covering spouse, children and parents (DOMAIN §3, §8)."""

    household = models.ForeignKey("households.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="blacklist_entries")
    region_code = models.CharField(_("区划代码"), max_length=15, db_index=True)
    covered_id_numbers = models.JSONField(_("涉及人员身份证号"), default=list)
    reason = models.TextField(_("原因"))
    malicious = models.BooleanField(_("恶意逃废债"), default=True)
    listed_on = models.DateField(_("列入日期"))
    until = models.DateField(_("期限至"))
    lifted_on = models.DateField(_("解除日期"), null=True, blank=True)
    lift_decision = models.TextField(_("解除决定"), blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("列入人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lifted_by = models.ForeignKey(USER, verbose_name=_("解除人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("黑名单")
        verbose_name_plural = _("黑名单")
        ordering = ["-listed_on", "-id"]
        permissions = [("manage_blacklist", "维护黑名单")]


class CreditRegion(models.Model):
    """A credit village / township evaluation (信用村 / 信用乡镇) for a year."""

    region = models.ForeignKey("regions.Region", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("区划代码"), max_length=15, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    rated_share = models.DecimalField(_("评级覆盖率"), max_digits=5, decimal_places=4)
    npl_ratio = models.DecimalField(_("不良率"), max_digits=5, decimal_places=4)
    malicious_defaults = models.PositiveIntegerField(_("恶意逃废债户数"), default=0)
    granted = models.BooleanField(_("评为信用村/乡镇"))
    evaluated_at = models.DateTimeField(_("评定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("信用村（乡镇）评定")
        verbose_name_plural = _("信用村（乡镇）评定")
        ordering = ["-year", "region_code"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="credit_region_year")]
