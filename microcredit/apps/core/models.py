"""Small cross-cutting records: system settings and the declared capabilities (permissions)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
