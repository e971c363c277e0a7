"""Small cross-cutting records: system settings, the declared capabilities (permissions) and the
abstract transition record every workflow's log inherits (ADR 0007)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from microcredit.apps.core.clock import now


class SystemSetting(models.Model):
    """A key/value setting the operator can change (e.g. the demo's pinned business date)."""

    key = models.CharField(_("键"), max_length=64, primary_key=True)
    value = models.TextField(_("值"), blank=True)

    class Meta:
        verbose_name = _("系统设置")
        verbose_name_plural = _("系统设置")

    @classmethod
    def get(cls, key: str, default: str = "") -> str:
        row = cls.objects.filter(key=key).first()
        return row.value if row else default


class Capability(models.Model):
    """Holder of the project's permissions; roles (groups) get them in accounts/roles.py.

    Unmanaged: no table, it exists so Django creates the Permission rows (ARCHITECTURE §5).
    """

    class Meta:
        managed = False
        default_permissions = ()
        verbose_name = _("权限")
        permissions = [
            ("view_registry", "查看建档立卡档案"),
            ("edit_registry", "维护建档立卡档案"),
            ("import_registry", "导入档案"),
            ("verify_identity", "核验身份证号"),
            ("see_identity", "查看完整身份证号和电话"),
            ("manage_regions", "维护行政区划"),
            ("manage_reference", "维护银行、基准利率、政策期"),
            ("view_audit", "查看审计日志"),
            ("use_calculator", "使用贷款计算器"),
            ("view_dashboard", "查看首页统计"),
            ("export_data", "导出数据"),
            ("manage_users", "管理用户"),
        ]


class TransitionRecord(models.Model):
    """One step taken on a workflow item: states, action, who in which role, when, with what opinion.

    Abstract: each workflow's log (``origination.WorkflowTransition``, ``rating.CampaignTransition``,
    ``funds.WorkflowStep``) adds its foreign key to the item; ``core.workflow.transition_take`` writes it.
    """

    from_state = models.CharField(_("原状态"), max_length=20)
    action = models.CharField(_("操作"), max_length=20)
    to_state = models.CharField(_("新状态"), max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(_("角色"), max_length=20, blank=True)
    on = models.DateField(_("业务日期"))
    at = models.DateTimeField(_("时间"), default=now)
    opinion = models.TextField(_("意见"), blank=True)
    via_api = models.BooleanField(_("经接口"), default=False)

    class Meta:
        abstract = True
        ordering = ["at", "id"]
