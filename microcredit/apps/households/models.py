"""The registry (建档立卡): households and their members (DOMAIN §2).

Households carry the attributes later scorecards use (labour, skills, income per head, health).
`region_code` repeats the village's code so scope filtering is one indexed prefix match.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from microcredit.domain.households import HOUSEHOLD_STATUS_LABELS as STATUS_LABELS
from microcredit.domain.registry import INCOME_MAX_FEN, PROGRAM_FIRST_YEAR


HouseholdStatus = models.TextChoices("HouseholdStatus", [(s.name, (s.value, _(label))) for s, label in STATUS_LABELS.items()])
"""The domain's statuses (``domain.households``) as Django choices."""


class LabourCapacity(models.TextChoices):
    FULL = "full", _("普通劳动力")
    SKILLED = "skilled", _("技能劳动力")
    WEAK = "weak", _("弱劳动力或半劳动力")
    LOST = "lost", _("丧失劳动力")
    NONE = "none", _("无劳动力")


class SkillLevel(models.TextChoices):
    CERTIFIED = "certified", _("有证书或从业3年以上")
    SOME = "some", _("有一定经验")
    NONE = "none", _("无")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("长期慢性病")
    SERIOUS = "serious", _("患有大病")
    DISABLED = "disabled", _("残疾")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Household(models.Model):
    number = models.CharField(_("户编号"), max_length=32, unique=True)
    village = models.ForeignKey(
        "regions.Region", verbose_name=_("行政村"), on_delete=models.PROTECT, related_name="households"
    )
    region_code = models.CharField(_("区划代码"), max_length=15, db_index=True)
    group_name = models.CharField(_("村民小组"), max_length=32, blank=True)
    head_name = models.CharField(_("户主姓名"), max_length=32)
    head_id_number = models.CharField(_("户主身份证号"), max_length=18, db_index=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("住址"), max_length=128, blank=True)
    status = models.CharField(_("户类型"), max_length=10, choices=HouseholdStatus.choices, db_index=True)
    is_wubao = models.BooleanField(_("五保户"), default=False)
    is_dibao = models.BooleanField(_("低保户"), default=False)
    year_registered = models.PositiveSmallIntegerField(_("识别年度"), null=True, blank=True)
    year_exited = models.PositiveSmallIntegerField(_("脱贫年度"), null=True, blank=True)
    income_per_head = models.BigIntegerField(_("人均纯收入（分/年）"), default=0)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("农户")
        verbose_name_plural = _("农户")
        ordering = ["region_code", "number"]
        indexes = [models.Index(fields=["region_code", "status"])]
        # The time-independent part of domain.registry's rules (DOMAIN §2), so no path — bulk
        # writes, the demo's COPY, a shell — stores them; the rules against "today" stay in domain.
        constraints = [
            models.CheckConstraint(
                condition=Q(income_per_head__gte=0) & Q(income_per_head__lte=INCOME_MAX_FEN),
                name="household_income_plausible"),
            models.CheckConstraint(
                condition=Q(year_registered__isnull=True) | Q(year_registered__gte=PROGRAM_FIRST_YEAR),
                name="household_year_registered_plausible"),
            models.CheckConstraint(
                condition=Q(year_exited__isnull=True) | Q(year_exited__gte=PROGRAM_FIRST_YEAR),
                name="household_year_exited_plausible"),
            models.CheckConstraint(
                condition=Q(year_exited__isnull=True) | Q(year_registered__isnull=True)
                | Q(year_exited__gte=F("year_registered")),
                name="household_exited_not_before_registered"),
        ]

    def __str__(self) -> str:
        return f"{self.head_name}（{self.number}）"


class Member(models.Model):
    household = models.ForeignKey(Household, verbose_name=_("农户"), on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=32)
    id_number = models.CharField(_("身份证号"), max_length=18, unique=True)
    relation = models.CharField(_("与户主关系"), max_length=12, choices=Relation.choices)
    birth_date = models.DateField(_("出生日期"))
    is_male = models.BooleanField(_("男"), default=True)
    labour = models.CharField(_("劳动能力"), max_length=10, choices=LabourCapacity.choices, default=LabourCapacity.FULL)
    skill = models.CharField(_("劳动技能"), max_length=10, choices=SkillLevel.choices, default=SkillLevel.NONE)
    health = models.CharField(_("健康状况"), max_length=10, choices=Health.choices, default=Health.HEALTHY)
    phone = models.CharField(_("电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household", "relation", "birth_date"]

    def __str__(self) -> str:
        return self.name
